using System.Text.RegularExpressions;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>
/// Backbone initialisation from a backbone checkpoint: a <see cref="Checkpoint"/> file whose "model/" tensors are a
/// FrozenBN <see cref="ResNet"/>'s state (torchvision names: conv1.weight, bn1.running_mean, layer1.0.conv1.weight, ...),
/// such as data/weights/imagenet-r18.bin written by `rethink data imagenet-r18`.
/// </summary>
public static partial class PretrainedBackbone
{
    /// <summary>
    /// Copies the checkpoint into <paramref name="target"/> (a ResNet of the same spec with FrozenBN, BN or SyncBN):
    /// conv weights, norm affine terms and running statistics, by name. GN and no-norm targets are refused: the
    /// statistics of a BN-trained network mean nothing to them. Returns the number of tensors copied.
    /// </summary>
    public static int Load(string path, ResNet target)
    {
        if (target.Norm is NormKind.GN or NormKind.None)
            throw new InvalidOperationException($"{path} holds BatchNorm statistics; a {target.Norm.Name()} backbone cannot use them (pre-train with that norm instead)");
        using var source = new ResNet(target.Spec, NormKind.FrozenBN);
        Checkpoint.Load(path, source, restoreRng: false);
        var src = source.state_dict();
        int copied = 0;
        using var _ = no_grad();
        foreach (var (name, t) in target.state_dict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            string key = SyncBnInner().Replace(name, ".$1");
            if (!src.TryGetValue(key, out var s))
                throw new InvalidDataException($"{path}: no tensor for the backbone's '{name}'");
            if (!s.shape.SequenceEqual(t.shape))
                throw new InvalidDataException($"{path}: '{key}' is ({string.Join(", ", s.shape)}) but the backbone's '{name}' is ({string.Join(", ", t.shape)})");
            t.copy_(s);
            copied++;
        }
        return copied;
    }

    /// <summary>SyncBatchNorm2d wraps a BatchNorm2d named "bn": bn1.bn.weight is the checkpoint's bn1.weight.</summary>
    [GeneratedRegex(@"\.bn\.(weight|bias|running_mean|running_var)$")]
    private static partial Regex SyncBnInner();
}
