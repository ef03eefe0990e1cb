using Rethink.Runtime;
namespace Rethink.Data;

/// <summary>
/// Maps a position in an endless stream of samples to a dataset index: epoch e visits the dataset in a permutation
/// drawn from (seed, e). Pure function of its inputs, so a resumed run sees the same samples.
/// </summary>
public sealed class EpochOrder(int count, int seed, bool shuffle = true)
{
    readonly Dictionary<long, int[]> cache = new();

    public int IndexOf(long position)
    {
        long epoch = position / count;
        int within = (int)(position % count);
        if (!shuffle) return within;
        lock (cache)
        {
            if (!cache.TryGetValue(epoch, out var order))
            {
                order = Enumerable.Range(0, count).ToArray();
                new Random(Seeds.Mix(seed, epoch, 0x0de7)).Shuffle(order);
                if (cache.Count > 4) cache.Clear();
                cache[epoch] = order;
            }
            return order[within];
        }
    }

    /// <summary>A generator for sample <paramref name="position"/>'s augmentation, independent of every other sample's.</summary>
    public Random SampleRandom(long position) => new(Seeds.Mix(seed, position, 0x5a3b1e));
}
