namespace Rethink.Modeling.Layers;

/// <summary>
/// Counts the multiply-accumulates of the convolutions and linear layers run on this thread while a counter is
/// started (every such layer goes through <see cref="MixedPrecision"/>, which reports here): the arithmetic a
/// benchmark step did, to set its time against the machine's peak.
/// </summary>
public sealed class MacCounter : IDisposable
{
    [ThreadStatic] static MacCounter? active;
    readonly MacCounter? outer;
    bool stopped;

    MacCounter(MacCounter? outer) => this.outer = outer;

    /// <summary>Multiply-accumulates counted so far (forward passes only: backward work is not seen here).</summary>
    public long Macs { get; private set; }

    /// <summary>Starts counting on this thread until disposed.</summary>
    public static MacCounter Start() => active = new MacCounter(active);

    internal static void Add(long macs)
    {
        for (var c = active; c is not null; c = c.outer) c.Macs += macs;
    }

    public void Dispose()
    {
        if (stopped) return;
        stopped = true;
        if (ReferenceEquals(active, this)) active = outer;
    }
}
