using BenchmarkDotNet.Attributes;
using Herald.Core;
using Herald.Protocol;
using Herald.Protocol.SocketIO;

namespace Herald.Benchmarks;

/// <summary>Parsing what clients send: the native codec and the Engine.IO / Socket.IO codecs.</summary>
[MemoryDiagnoser]
public class FrameParsingBenchmark
{
    private static readonly ReadOnlyMemory<byte> NativeSubscribe = "{\"type\":\"subscribe\",\"id\":\"17\",\"channel\":\"workspace:acme/w1\"}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> NativeSubscribeRecover = "{\"type\":\"subscribe\",\"id\":\"18\",\"channel\":\"task:acme/t1\",\"since\":{\"offset\":12,\"epoch\":\"5dfdb05f\"},\"filters\":{\"env\":\"prod\"}}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> NativePublish = "{\"type\":\"publish\",\"id\":\"19\",\"channel\":\"chat:acme/room\",\"event\":\"message.created\",\"data\":{\"text\":\"hello\",\"n\":[1,2,3]}}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> NativePong = "{\"type\":\"pong\"}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> SocketIOSubscribe = "421[\"subscribe\",{\"channel\":\"workspace:acme/w1\"}]"u8.ToArray();

    [Benchmark(Baseline = true)]
    public bool NativeSubscribeFrame() => NativeCodec.TryParse(NativeSubscribe, out _, out _);

    [Benchmark]
    public bool NativeSubscribeWithRecoveryAndFilter() => NativeCodec.TryParse(NativeSubscribeRecover, out _, out _);

    [Benchmark]
    public bool NativePublishFrame() => NativeCodec.TryParse(NativePublish, out _, out _);

    [Benchmark]
    public bool NativePongFrame() => NativeCodec.TryParse(NativePong, out _, out _);

    [Benchmark]
    public bool SocketIOSubscribeEvent()
    {
        var engine = EngineIOCodec.DecodeText(SocketIOSubscribe);
        if (!engine.IsSuccess)
        {
            return false;
        }
        return SocketIOCodec.Decode(engine.Value.Data).IsSuccess;
    }
}
