using System.Text;
using BenchmarkDotNet.Attributes;
using Herald.Core;
using Herald.Messages;
using Herald.Protocol;
using Herald.Protocol.SocketIO;

namespace Herald.Benchmarks;

/// <summary>
/// Encoding one publication into a frame: done once per publication and encoder, whatever the
/// number of subscribers. The result is one right-sized array (the frame shared by every subscriber).
/// </summary>
[MemoryDiagnoser]
public class PublicationEncodingBenchmark
{
    private Publication _plain = null!;
    private Publication _withStream = null!;
    private SocketIOPublicationEncoder _socketIO = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new Publication
        {
            Id = Publication.NewId(),
            Channel = "bench:c0",
            Type = "bench.tick",
            Data = Encoding.UTF8.GetBytes("{\"hb\":[0,12345,987654321],\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"),
            Timestamp = 1_763_769_600_000,
        };
        _withStream = _plain.At(42, "5dfdb05f");
        _socketIO = new SocketIOPublicationEncoder("/");
    }

    [Benchmark(Baseline = true)]
    public byte[] Native() => NativePublicationEncoder.Instance.Encode(_plain);

    [Benchmark]
    public byte[] NativeWithOffsetAndEpoch() => NativePublicationEncoder.Instance.Encode(_withStream);

    [Benchmark]
    public byte[] SocketIO() => _socketIO.Encode(_plain);

    [Benchmark]
    public byte[] SocketIOWithOffsetAndEpoch() => _socketIO.Encode(_withStream);
}
