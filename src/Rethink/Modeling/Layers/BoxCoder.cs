using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Encodes boxes as (dx, dy, dw, dh) offsets from reference boxes, scaled by weights (R-CNN's parameterisation;
/// (1,1,1,1) for the RPN, (10,10,5,5) for the box head), and back. dw and dh are clamped at log(1000/16) when decoding.
/// </summary>
public sealed record BoxCoder(double Wx = 1, double Wy = 1, double Ww = 1, double Wh = 1)
{
    public static double ScaleClamp { get; } = Math.Log(1000.0 / 16);

    public static BoxCoder Rpn { get; } = new();
    public static BoxCoder RoiHeads { get; } = new(10, 10, 5, 5);

    /// <summary>Targets for <paramref name="boxes"/> relative to <paramref name="reference"/>, both (N, 4).</summary>
    public Tensor Encode(Tensor boxes, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var (px, py, pw, ph) = Centers(reference);
        var (gx, gy, gw, gh) = Centers(boxes);
        var dx = (gx - px).mul(Scalars.Of(Wx)) / pw;
        var dy = (gy - py).mul(Scalars.Of(Wy)) / ph;
        var dw = (gw / pw).log().mul(Scalars.Of(Ww));
        var dh = (gh / ph).log().mul(Scalars.Of(Wh));
        return stack([dx, dy, dw, dh], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Boxes from (N, 4k) offsets applied to (N, 4) references; returns (N, 4k).</summary>
    public Tensor Decode(Tensor deltas, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var r = reference.to(deltas.dtype);
        var (px, py, pw, ph) = Centers(r);
        long n = deltas.shape[0], k = deltas.shape[1] / 4;
        var d = deltas.reshape(n, k, 4);
        var clamp = Scalars.Of(ScaleClamp);
        var dx = d[TensorIndex.Ellipsis, 0].div(Scalars.Of(Wx));
        var dy = d[TensorIndex.Ellipsis, 1].div(Scalars.Of(Wy));
        var dw = d[TensorIndex.Ellipsis, 2].div(Scalars.Of(Ww)).clamp_max(clamp);
        var dh = d[TensorIndex.Ellipsis, 3].div(Scalars.Of(Wh)).clamp_max(clamp);
        var cx = (dx * pw.unsqueeze(1)).add(px.unsqueeze(1), Scalars.One);
        var cy = (dy * ph.unsqueeze(1)).add(py.unsqueeze(1), Scalars.One);
        var w = dw.exp() * pw.unsqueeze(1);
        var h = dh.exp() * ph.unsqueeze(1);
        var half = Scalars.Of(0.5);
        var halfW = w.mul(half);
        var halfH = h.mul(half);
        var boxes = stack([cx - halfW, cy - halfH, cx.add(halfW, Scalars.One), cy.add(halfH, Scalars.One)], 2);
        return boxes.reshape(n, k * 4).MoveToOuterDisposeScope();
    }

    static (Tensor cx, Tensor cy, Tensor w, Tensor h) Centers(Tensor b)
    {
        var w = b[TensorIndex.Colon, 2] - b[TensorIndex.Colon, 0];
        var h = b[TensorIndex.Colon, 3] - b[TensorIndex.Colon, 1];
        var half = Scalars.Of(0.5);
        return (b[TensorIndex.Colon, 0].add(w.mul(half), Scalars.One), b[TensorIndex.Colon, 1].add(h.mul(half), Scalars.One), w, h);
    }
}
