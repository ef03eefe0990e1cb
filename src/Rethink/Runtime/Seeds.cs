namespace Rethink.Runtime;

/// <summary>
/// Deterministic seeds from several numbers (SplitMix64 mixing). Not HashCode.Combine: .NET randomizes that per
/// process, which would make every "seeded" dataset and augmentation differ from run to run.
/// </summary>
public static class Seeds
{
    public static int Mix(params long[] parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (long p in parts)
        {
            h ^= (ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h = SplitMix(h);
        }
        return (int)(h & 0x7fffffff);
    }

    static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
