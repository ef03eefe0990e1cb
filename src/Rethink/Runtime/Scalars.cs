using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Runtime;

/// <summary>
/// TorchSharp Scalars that live as long as the process, for every tensor-scalar operation on a training or inference path.
/// </summary>
/// <remarks>
/// Why: a TorchSharp <see cref="Scalar"/> owns a native c10::Scalar that its finalizer frees, and DisposeScopes do not
/// track it. Each implicit conversion (<c>x * 0.5</c>, <c>x + 1</c>, <c>clamp_min(0)</c>, <c>masked_fill_(m, 0)</c>,
/// <c>x &gt; 0.5</c>) and TorchSharp's own <c>add(Tensor)</c> / <c>a + b</c> (an implicit alpha of 1) makes a temporary
/// whose last managed reference is gone as soon as its handle is read. A GC on another thread (the data loader allocates
/// a lot) can then finalize it while the native op still reads it: "Expected false to be true ... toFloat at
/// c10/core/Scalar.h" from add_Tensor, or a segfault, minutes or hours into a run. Scalars handed out here are rooted in
/// a static cache and never freed, so no op can outlive its Scalar.
/// <para>Cache only values from a bounded set (constants, configuration, image and feature-map sizes, box counts).
/// A value that changes every step (the learning rate) belongs in a <c>using var s = value.ToScalar();</c> that spans
/// the ops that read it.</para>
/// <para>Integral and floating scalars are kept apart because they promote differently: an int64 tensor times an
/// integral scalar stays int64, times a floating one becomes float; and an integer tensor's add rejects a floating
/// alpha. Int32 and Int64 give the same c10::Scalar (an int64), as do float and double (a double).</para>
/// </remarks>
public static class Scalars
{
    static readonly ConcurrentDictionary<long, Scalar> floating = new();
    static readonly ConcurrentDictionary<long, Scalar> integral = new();
    static Scalar? zero, one;

    /// <summary>The integral 0.</summary>
    public static Scalar Zero => zero ??= OfInt(0);

    /// <summary>The integral 1: also the alpha TorchSharp passes for <c>add(Tensor)</c> and <c>add(Scalar)</c>.</summary>
    public static Scalar One => one ??= OfInt(1);

    /// <summary>A floating (double) scalar, as <c>(Scalar)value</c> with a double or float makes it.</summary>
    /// <remarks>Keyed by bit pattern, so -0.0 and 0.0 stay distinct.</remarks>
    public static Scalar Of(double value) =>
        // Two threads may both build a Scalar for a new key; only the stored one is ever handed out.
        floating.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static bits => BitConverter.Int64BitsToDouble(bits).ToScalar());

    /// <summary>An integral scalar, as <c>(Scalar)value</c> with an int or long makes it.</summary>
    public static Scalar OfInt(long value) => integral.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>How many distinct Scalars the cache holds (a bounded set in a healthy run).</summary>
    public static int Count => floating.Count + integral.Count;

    /// <summary>
    /// The value of a one-element tensor as a double: what TorchSharp's <c>ToDouble()</c> returns, without the temporary
    /// Scalar that <c>ToDouble()</c> reads through.
    /// </summary>
    public static double ToDouble(Tensor t)
    {
        if (t.device_type == DeviceType.CPU)
        {
            // Float widening to double is exact, as is item()'s own conversion.
            if (t.dtype == ScalarType.Float32) return t.item<float>();
            if (t.dtype == ScalarType.Float64) return t.item<double>();
        }
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).cpu().item<double>();
    }
}
