namespace Herald.Messages.Requests;

/// <summary>
/// Where a subscription's publications go on its connection: the encoder of their frames and,
/// for a protocol with several logical channels on one connection (a Socket.IO namespace), which
/// of them made it. Subscriptions of one <see cref="Scope"/> end together when it is left.
/// </summary>
public readonly record struct DeliveryTarget(PublicationEncoder Encoder, string? Scope = null);
