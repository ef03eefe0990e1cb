using System.Numerics;
using System.Runtime.InteropServices;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// out[m, :] = sum over t of weight[m, t] * table[index[m, t], :], differentiable in <c>table</c>.
/// RoIAlign is this with four bilinear corners per sample (see <see cref="RoiAlign"/>). On the CPU a C# kernel does it
/// row by row with SIMD over channels (forward) and the transposed scatter-add (backward), holding only the index and
/// weights for backward; elsewhere (CUDA) it is a sum of index_select terms that autograd differentiates.
/// </summary>
public static class WeightedRowGather
{
    /// <param name="table">(R, C) rows, float32 or float64.</param>
    /// <param name="index">(M, T) int64 row indices.</param>
    /// <param name="weight">(M, T) weights, the table's dtype.</param>
    public static Tensor Apply(Tensor table, Tensor index, Tensor weight)
    {
        if (table.dim() != 2) throw new ArgumentException("table must be (R, C)");
        if (index.dim() != 2 || !index.shape.SequenceEqual(weight.shape)) throw new ArgumentException("index and weight must both be (M, T)");
        bool cpuKernel = table.device_type == DeviceType.CPU && table.dtype is ScalarType.Float32 or ScalarType.Float64;
        if (!cpuKernel) return TensorOps(table, index, weight);
        if (!table.requires_grad || !is_grad_enabled()) return Forward(table, index, weight);
        return GatherFunction.apply(table, index, weight);
    }

    static Tensor TensorOps(Tensor table, Tensor index, Tensor weight)
    {
        Tensor? acc = null;
        for (long t = 0; t < index.shape[1]; t++)
        {
            var term = table.index_select(0, index[TensorIndex.Colon, t]) * weight[TensorIndex.Colon, t].unsqueeze(1);
            acc = acc is null ? term : acc.add_(term, Scalars.One);
        }
        return acc ?? zeros(index.shape[0], table.shape[1], dtype: table.dtype, device: table.device);
    }

    sealed class GatherFunction : autograd.SingleTensorFunction<GatherFunction>
    {
        public override string Name => "RethinkWeightedRowGather";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var table = (Tensor)vars[0];
            // The saved tensors must outlive the caller's DisposeScope (which ends long before backward runs): keep our
            // own handles, out of every scope, and release them in backward.
            var index = ((Tensor)vars[1]).alias().DetachFromDisposeScope();
            var weight = ((Tensor)vars[2]).alias().DetachFromDisposeScope();
            ctx.save_for_backward([index, weight]);
            ctx.save_data("rows", table.shape[0]);
            return WeightedRowGather.Forward(table, index, weight);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            long rows = (long)ctx.get_data("rows");
            var grad = WeightedRowGather.Backward(gradOutput, saved[0], saved[1], rows);
            saved[0].Dispose();
            saved[1].Dispose();
            return [grad, null!, null!];
        }
    }

    internal static Tensor Forward(Tensor table, Tensor index, Tensor weight)
    {
        using var scope = NewDisposeScope();
        var tab = table.detach().contiguous();
        var idx = index.to(int64).contiguous();
        var w = weight.to(table.dtype).contiguous();
        long m = idx.shape[0], t = idx.shape[1], c = tab.shape[1], r = tab.shape[0];
        var output = zeros(m, c, dtype: table.dtype);
        if (m > 0 && c > 0)
        {
            if (table.dtype == float32) ForwardKernel<float>(tab, idx, w, output, r, m, t, c);
            else ForwardKernel<double>(tab, idx, w, output, r, m, t, c);
        }
        return output.MoveToOuterDisposeScope();
    }

    internal static Tensor Backward(Tensor gradOutput, Tensor index, Tensor weight, long rows)
    {
        using var scope = NewDisposeScope();
        var g = gradOutput.contiguous();
        var idx = index.contiguous();
        var w = weight.to(g.dtype).contiguous();
        long m = idx.shape[0], t = idx.shape[1], c = g.shape[1];
        var grad = zeros(rows, c, dtype: g.dtype);
        if (m > 0 && c > 0)
        {
            if (g.dtype == float32) BackwardKernel<float>(g, idx, w, grad, m, t, c);
            else BackwardKernel<double>(g, idx, w, grad, m, t, c);
        }
        return grad.MoveToOuterDisposeScope();
    }

    static unsafe void ForwardKernel<T>(Tensor table, Tensor index, Tensor weight, Tensor output, long r, long m, long t, long c)
        where T : unmanaged, INumber<T>
    {
        T* tab = Ptr<T>(table);
        long* idx = Ptr<long>(index);
        T* w = Ptr<T>(weight);
        T* o = Ptr<T>(output);
        int threads = (int)Math.Clamp(Math.Min(torch.get_num_threads(), m / 64), 1, 64);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            long start = m * part / threads, end = m * (part + 1) / threads;
            for (long row = start; row < end; row++)
            {
                var dst = new Span<T>(o + row * c, (int)c);
                for (long k = 0; k < t; k++)
                {
                    T wk = w[row * t + k];
                    if (wk == T.Zero) continue;
                    long src = idx[row * t + k];
                    if ((ulong)src >= (ulong)r) throw new IndexOutOfRangeException($"row index {src} outside 0..{r - 1}");
                    Axpy(wk, new ReadOnlySpan<T>(tab + src * c, (int)c), dst);
                }
            }
        });
    }

    static unsafe void BackwardKernel<T>(Tensor gradOutput, Tensor index, Tensor weight, Tensor grad, long m, long t, long c)
        where T : unmanaged, INumber<T>
    {
        T* g = Ptr<T>(gradOutput);
        long* idx = Ptr<long>(index);
        T* w = Ptr<T>(weight);
        T* gr = Ptr<T>(grad);
        // Threads own disjoint channel slices, so the scatter-add needs no locks.
        int width = Vector<T>.Count;
        int threads = (int)Math.Clamp(Math.Min(torch.get_num_threads(), c / width), 1, 64);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            long c0 = c * part / threads / width * width, c1 = part == threads - 1 ? c : c * (part + 1) / threads / width * width;
            int len = (int)(c1 - c0);
            if (len <= 0) return;
            for (long row = 0; row < m; row++)
            {
                var src = new ReadOnlySpan<T>(g + row * c + c0, len);
                for (long k = 0; k < t; k++)
                {
                    T wk = w[row * t + k];
                    if (wk == T.Zero) continue;
                    Axpy(wk, src, new Span<T>(gr + idx[row * t + k] * c + c0, len));
                }
            }
        });
    }

    /// <summary>The address of a CPU tensor's data (native memory, which the GC never moves).</summary>
    internal static unsafe T* Ptr<T>(Tensor t) where T : unmanaged
    {
        fixed (byte* p = t.bytes) return (T*)p;
    }

    /// <summary>y += a * x, a SIMD vector at a time.</summary>
    static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            var vx = MemoryMarshal.Cast<T, Vector<T>>(x);
            var vy = MemoryMarshal.Cast<T, Vector<T>>(y);
            for (int v = 0; v < vx.Length; v++) vy[v] += va * vx[v];
            i = vx.Length * Vector<T>.Count;
        }
        for (; i < x.Length; i++) y[i] += a * x[i];
    }
}
