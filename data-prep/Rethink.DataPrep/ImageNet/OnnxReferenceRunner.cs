using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.DataPrep.ImageNet;

/// <summary>
/// Runs an ONNX graph node by node, exactly as written (asymmetric pads included), with libtorch's functional ops.
/// It covers the operators of the CNTK ResNet-18 and its preprocessing graph (Conv, BatchNormalization, Relu, Add, Sub,
/// MaxPool, AveragePool, Split, Concat) and serves as the reference `rethink data imagenet-r18` checks the imported
/// network against, where ONNX Runtime is not at hand (the tests compare with ONNX Runtime itself).
/// </summary>
public static class OnnxReferenceRunner
{
    /// <summary>Evaluates <paramref name="graph"/> on the given inputs (float32, NCHW) and returns its outputs by name.</summary>
    public static Dictionary<string, Tensor> Run(OnnxGraph graph, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var values = new Dictionary<string, Tensor>(inputs);
        Tensor Get(string name) => values.TryGetValue(name, out var t) ? t : values[name] = graph.Float(name);
        using var _ = no_grad();
        foreach (var node in graph.Nodes)
        {
            var x = node.Input.Count > 0 ? Get(node.Input[0]) : null;
            Tensor[] outs = node.OpType switch
            {
                "Conv" => [Conv(node, x!, Get(node.Input[1]), node.Input.Count > 2 ? Get(node.Input[2]) : null)],
                "BatchNormalization" => [BatchNorm(node, x!, Get(node.Input[1]), Get(node.Input[2]), Get(node.Input[3]), Get(node.Input[4]))],
                "Relu" => [x!.relu()],
                "Add" => [x! + Get(node.Input[1])],
                "Sub" => [x! - Get(node.Input[1])],
                "MaxPool" => [MaxPool(node, x!)],
                "AveragePool" => [AveragePool(node, x!)],
                "Split" => Split(node, x!),
                "Concat" => [cat(node.Input.Select(Get).ToArray(), OnnxGraph.Int(node, "axis", 0))],
                _ => throw new NotSupportedException($"{graph.Path}: operator {node.OpType} ('{node.Name}') is not supported by the reference runner"),
            };
            if (outs.Length != node.Output.Count) throw new InvalidDataException($"{graph.Path}: {node.OpType} '{node.Name}' gave {outs.Length} outputs for {node.Output.Count}");
            for (int i = 0; i < outs.Length; i++) values[node.Output[i]] = outs[i];
        }
        return graph.Outputs.ToDictionary(o => o, o => values[o]);
    }

    /// <summary>ONNX pads [top, left, bottom, right] as F.pad's (left, right, top, bottom).</summary>
    static long[] PadArg(long[] pads) => [pads[1], pads[3], pads[0], pads[2]];

    static Tensor Conv(NodeProto node, Tensor x, Tensor w, Tensor? b)
    {
        if (OnnxGraph.Text(node, "auto_pad", "NOTSET") != "NOTSET") throw new NotSupportedException($"Conv '{node.Name}': auto_pad is not supported");
        var pads = OnnxGraph.Ints(node, "pads", [0, 0, 0, 0]);
        var strides = OnnxGraph.Ints(node, "strides", [1, 1]);
        var dilations = OnnxGraph.Ints(node, "dilations", [1, 1]);
        long groups = OnnxGraph.Int(node, "group", 1);
        var padded = pads.Any(p => p != 0) ? nn.functional.pad(x, PadArg(pads)) : x;
        return nn.functional.conv2d(padded, w, b, strides, [0, 0], dilations, groups);
    }

    static Tensor BatchNorm(NodeProto node, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor variance)
    {
        float eps = OnnxGraph.Float(node, "epsilon", 1e-5f);
        var s = scale / (variance + eps).sqrt();
        return x * s.view(1, -1, 1, 1) + (bias - mean * s).view(1, -1, 1, 1);
    }

    static Tensor MaxPool(NodeProto node, Tensor x)
    {
        var k = OnnxGraph.Ints(node, "kernel_shape", []);
        var strides = OnnxGraph.Ints(node, "strides", [1, 1]);
        var pads = OnnxGraph.Ints(node, "pads", [0, 0, 0, 0]);
        var padded = pads.Any(p => p != 0) ? nn.functional.pad(x, PadArg(pads), PaddingModes.Constant, double.NegativeInfinity) : x;
        return nn.functional.max_pool2d(padded, k, strides);
    }

    static Tensor AveragePool(NodeProto node, Tensor x)
    {
        var k = OnnxGraph.Ints(node, "kernel_shape", []);
        var strides = OnnxGraph.Ints(node, "strides", [1, 1]);
        var pads = OnnxGraph.Ints(node, "pads", [0, 0, 0, 0]);
        if (pads.Any(p => p != 0)) throw new NotSupportedException($"AveragePool '{node.Name}': padding is not supported");
        return nn.functional.avg_pool2d(x, k, strides);
    }

    static Tensor[] Split(NodeProto node, Tensor x)
    {
        long axis = OnnxGraph.Int(node, "axis", 0);
        var sizes = OnnxGraph.Ints(node, "split", []);
        if (sizes.Length == 0) sizes = Enumerable.Repeat(x.shape[axis] / node.Output.Count, node.Output.Count).ToArray();
        return x.split(sizes, axis);
    }
}
