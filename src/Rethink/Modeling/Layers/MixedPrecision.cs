using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Mixed precision for the layers that hold nearly all of a detector's arithmetic, with torch.autocast's policy for them
/// (TorchSharp has no autocast): inside a <see cref="Lower"/> scope, convolutions, transposed convolutions and linear
/// layers cast their input and their fp32 weights to a 16-bit type (bfloat16 on CPUs with AVX-512 BF16 and on GPUs),
/// compute there (libtorch accumulates in fp32) and return 16-bit results, which norms and activations take as they
/// come (libtorch's batch and group norms compute their statistics in fp32 and keep fp32 parameters). Where results
/// leave the network for fp32 code (RoIAlign, box coding, losses) the model casts them back with <see cref="ToFloat32"/>.
/// Weights, gradients and the optimizer stay fp32. Outside a scope every call is the module's own fp32 forward,
/// unchanged. The scope is per thread, as autocast's is; autograd replays the casts backward, so the backward
/// convolutions run in 16 bits too.
/// </summary>
public static class MixedPrecision
{
    [ThreadStatic] static ScalarType? lowered;

    /// <summary>The 16-bit type convolutions and linear layers compute in on this thread, or null for fp32.</summary>
    public static ScalarType? Current => lowered;

    /// <summary>Parses "fp32", "bf16" or "fp16" (null or "fp32": full precision).</summary>
    public static ScalarType? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "fp32" or "float32" => null,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp16" or "float16" or "half" => ScalarType.Float16,
        _ => throw new ArgumentException($"unknown precision '{name}': use fp32, bf16 or fp16"),
    };

    /// <summary>The name <see cref="Parse"/> reads back.</summary>
    public static string Name(ScalarType? type) => type switch
    {
        null => "fp32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "fp16",
        _ => throw new ArgumentException($"{type} is not a mixed-precision compute type"),
    };

    /// <summary>The canonical name for a config ("bf16", "fp16"), or null for fp32, so fp32 configs stay as they were.</summary>
    public static string? ConfigName(string? name) => Parse(name) is { } type ? Name(type) : null;

    /// <summary>Computes convolutions and linear layers in <paramref name="type"/> until disposed (null: fp32; scopes nest).</summary>
    public static IDisposable Lower(ScalarType? type)
    {
        Validate(type);
        var previous = lowered;
        lowered = type;
        return new Restore(previous);
    }

    /// <summary>Throws unless <paramref name="type"/> is null (fp32), BFloat16 or Float16.</summary>
    public static void Validate(ScalarType? type)
    {
        if (type is not (null or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"{type} is not a mixed-precision compute type (BFloat16 or Float16)");
    }

    public static Tensor Conv2d(TorchSharp.Modules.Conv2d conv, Tensor x)
    {
        Tensor y;
        if (lowered is not { } low) y = conv.forward(x);
        else if (conv.padding is not { } padding || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException("mixed precision supports convolutions with explicit zero padding only");
        else y = Conv2d(x, conv.weight!, conv.bias, conv.stride, padding, conv.dilation, conv.groups, low);
        MacCounter.Add(y.numel() * conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3]);
        return y;
    }

    /// <summary>A functional convolution under the current precision (for layers that own their weights).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
    {
        var y = lowered is { } low
            ? Conv2d(x, weight, bias, stride, padding, dilation, groups, low)
            : nn.functional.conv2d(x, weight, bias, stride, padding, dilation, groups);
        MacCounter.Add(y.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3]);
        return y;
    }

    static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups, ScalarType low)
    {
        using var x16 = x.to(low);
        using var w16 = weight.to(low);
        using var b16 = bias?.to(low);
        return nn.functional.conv2d(x16, w16, b16, stride, padding, dilation, groups);
    }

    public static Tensor ConvTranspose2d(TorchSharp.Modules.ConvTranspose2d conv, Tensor x)
    {
        // (in, out / groups, kh, kw) weights: every input value meets out / groups * kh * kw of them.
        MacCounter.Add(x.numel() * conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3]);
        if (lowered is not { } low) return conv.forward(x);
        using var x16 = x.to(low);
        using var w16 = conv.weight!.to(low);
        using var b16 = conv.bias?.to(low);
        return nn.functional.conv_transpose2d(x16, w16, b16, conv.stride, conv.padding!, conv.output_padding, conv.dilation, conv.groups);
    }

    public static Tensor Linear(TorchSharp.Modules.Linear fc, Tensor x)
    {
        MacCounter.Add(x.numel() / fc.in_features * fc.in_features * fc.out_features);
        if (lowered is not { } low) return fc.forward(x);
        using var x16 = x.to(low);
        using var w16 = fc.weight!.to(low);
        using var b16 = fc.bias?.to(low);
        return nn.functional.linear(x16, w16, b16);
    }

    /// <summary>
    /// A network output handed to fp32 code: the tensor itself when it is fp32 already (every tensor outside a scope),
    /// else an fp32 copy that autograd differentiates.
    /// </summary>
    public static Tensor ToFloat32(Tensor x) => x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);

    /// <summary>
    /// <paramref name="residual"/> += <paramref name="shortcut"/> (a ResNet block's sum): in a scope the two may differ in
    /// type (a frozen BN turns 16-bit input into fp32), so the shortcut takes the residual's type first.
    /// </summary>
    public static Tensor AddInPlace(Tensor residual, Tensor shortcut)
    {
        if (shortcut.dtype == residual.dtype) return residual.add_(shortcut, Runtime.Scalars.One);
        using var cast = shortcut.to(residual.dtype);
        return residual.add_(cast, Runtime.Scalars.One);
    }

    sealed class Restore(ScalarType? previous) : IDisposable
    {
        bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            lowered = previous;
        }
    }
}
