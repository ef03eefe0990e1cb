using Rethink.Data.Coco;
using Rethink.Runtime;

namespace Rethink.Data;

/// <summary>
/// The paper's less-data subsets (35k, 10k, 3.5k, 1k images of train2017): N images drawn without replacement by a
/// seeded permutation, with all their annotations and every category. The same (file, N, seed) gives the same subset.
/// </summary>
public static class CocoSubset
{
    public static CocoDataset Sample(CocoDataset dataset, int images, int seed)
    {
        if (images < 1 || images > dataset.Images.Count)
            throw new ArgumentOutOfRangeException(nameof(images), images, $"{dataset.SourceName} has {dataset.Images.Count} images; ask for 1..{dataset.Images.Count}");
        var order = dataset.Images.OrderBy(i => i.Id).ToArray();
        new Random(Seeds.Mix(seed, 0x5b5e7)).Shuffle(order);
        var chosen = order.Take(images).OrderBy(i => i.Id).ToList();
        var ids = chosen.Select(i => i.Id).ToHashSet();
        var annotations = dataset.Annotations.Where(a => ids.Contains(a.ImageId)).ToList();
        var info = (dataset.Info ?? new CocoInfo()) with
        {
            Description = $"{dataset.Info?.Description ?? Path.GetFileName(dataset.SourceName)} - subset of {images} images, seed {seed}",
        };
        return dataset with { Images = chosen, Annotations = annotations, Info = info };
    }
}
