namespace Herald.Core.Cluster;

/// <summary>One signal as a node receives it: its type, the node that sent it, and its JSON data.</summary>
public readonly record struct ClusterSignal(string Type, string From, ReadOnlyMemory<byte> Data);
