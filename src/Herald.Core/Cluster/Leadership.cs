namespace Herald.Core.Cluster;

/// <summary>Runs a maintenance job's pass on one node of the cluster at a time.</summary>
internal static class Leadership
{
    /// <summary>Runs <paramref name="work"/> under the lease of <paramref name="job"/>; returns false without running it when another node holds the lease.</summary>
    public static async Task<bool> RunAsLeaderAsync(this IClusterMembership membership, string job, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var lease = await membership.TryLeadAsync(job, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return false;
        }
        await using (lease.ConfigureAwait(false))
        {
            await work(cancellationToken).ConfigureAwait(false);
        }
        return true;
    }
}
