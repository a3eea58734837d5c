using Herald.Messages.Requests;

namespace Herald.Core.Requests;

/// <summary>
/// Where the <see cref="RequestHandler"/> sends the one answer of a request: the transport's
/// codec turns it into a frame for the request's connection, matched to the request (an id, an
/// ack). <see cref="Send"/> may run under the node's channel locks (a subscribe answer is queued
/// before any live publication), so it must only encode and queue.
/// </summary>
public interface IRequestReply
{
    void Send(RequestResult result);
}
