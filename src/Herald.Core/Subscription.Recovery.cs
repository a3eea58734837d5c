using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core;

internal sealed partial class Subscription
{
    private Recovery? _recovery;

    /// <summary>
    /// Non-null from the moment the subscription is added to its channel until it turns live:
    /// fan-out then hands publications to it instead of sending them. The one field fan-out reads
    /// for a live subscription.
    /// </summary>
    internal Recovery? Recovering => Volatile.Read(ref _recovery);

    /// <summary>Puts the subscription in the recovering state; called before it is added to its channel.</summary>
    internal Recovery StartRecovery()
    {
        var recovery = new Recovery(this);
        Volatile.Write(ref _recovery, recovery);
        return recovery;
    }

    /// <summary>
    /// A subscription that is reading its channel's position, history and state while live
    /// publications keep arriving. Until the answer is queued, fan-out buffers them; the answer
    /// then goes out, followed by the buffered publications newer than the answered position, and
    /// after that every publication at or below that position is dropped (a slow broker may still
    /// deliver one) until the first newer one arrives: from then on the subscription is live.
    /// Everything happens under this instance's lock, so the answer, the buffered and the live
    /// publications leave in order. Fan-out for one channel never runs concurrently, so only the
    /// subscribing caller and one fan-out ever contend for the lock.
    /// </summary>
    internal sealed class Recovery(Subscription subscription)
    {
        private const long Buffering = -1;
        private List<(PreparedPublication[] Items, bool Batch)>? _buffer;
        private long _answered = Buffering;
        private bool _live;

        /// <summary>Takes one publication from fan-out; false when the subscription turned live meanwhile and the caller sends it.</summary>
        public bool Offer(PreparedPublication publication, ref long sent)
        {
            lock (this)
            {
                if (_live)
                {
                    return false;
                }
                if (_answered == Buffering)
                {
                    (_buffer ??= []).Add(([publication], false));
                    return true;
                }
                sent += Forward([publication], batch: false);
                ReleaseIfLive();
                return true;
            }
        }

        /// <summary>Takes one batch from fan-out; false when the subscription turned live meanwhile and the caller sends it.</summary>
        public bool Offer(PreparedPublication[] batch, ref long sent)
        {
            lock (this)
            {
                if (_live)
                {
                    return false;
                }
                if (_answered == Buffering)
                {
                    (_buffer ??= []).Add((batch, true));
                    return true;
                }
                sent += Forward(batch, batch: true);
                ReleaseIfLive();
                return true;
            }
        }

        /// <summary>
        /// Queues the answer through <paramref name="onSubscribed"/>, then what was buffered and is
        /// newer than the answer. Returns how many publications were sent.
        /// </summary>
        public long Complete(Action<SubscribeResult> onSubscribed, SubscribeResult result)
        {
            lock (this)
            {
                onSubscribed(result);
                // Without a stream there is no position to compare with: everything buffered is new.
                _answered = result.Position?.Offset ?? long.MaxValue;
                long sent = 0;
                var buffer = _buffer;
                _buffer = null;
                if (result.Position is null)
                {
                    _live = true;
                }
                foreach (var (items, batch) in buffer ?? [])
                {
                    sent += Forward(items, batch);
                }
                // Only now may fan-out bypass this lock: a publication it sends directly must not
                // overtake the buffered ones still being forwarded above.
                ReleaseIfLive();
                return sent;
            }
        }

        /// <summary>Sends what is newer than the answer (and offset-less events); turns live at the first newer publication.</summary>
        private long Forward(PreparedPublication[] items, bool batch)
        {
            var newer = _live ? items : Array.FindAll(items, p => p.Publication.Offset == 0 || p.Publication.Offset > _answered);
            if (!_live && Array.Exists(newer, p => p.Publication.Offset > _answered))
            {
                // Publications of a channel arrive in offset order: nothing older can follow. The
                // field is cleared by the caller once it holds nothing more to forward.
                _live = true;
            }
            if (subscription.Filter is { } filter)
            {
                newer = Array.FindAll(newer, p => filter.Matches(p.Publication.Tags));
            }
            if (newer.Length == 0)
            {
                return 0;
            }
            if (batch)
            {
                return Node.SendBatch(subscription, subscription.Channel.Value, newer, shared: null);
            }
            long sent = 0;
            foreach (var publication in newer)
            {
                if (subscription.Client.Send(new OutboundFrame(publication.GetFrame(subscription.Encoder, subscription.EncoderSlot)) { Publication = publication.Publication }))
                {
                    sent++;
                }
            }
            return sent;
        }

        /// <summary>Once live and with nothing left to forward, fan-out stops coming here (the one field it reads).</summary>
        private void ReleaseIfLive()
        {
            if (_live)
            {
                Volatile.Write(ref subscription._recovery, null);
            }
        }
    }
}
