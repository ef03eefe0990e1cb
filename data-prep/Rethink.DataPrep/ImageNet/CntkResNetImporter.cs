using Onnx;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.DataPrep.ImageNet;

/// <summary>What the importer read from the ONNX graph: the tensors under the project's (torchvision's) names, and the layout.</summary>
public sealed record ImportedResNet(ResNetSpec Spec, IReadOnlyDictionary<string, Tensor> State, int[] Blocks, double BnEpsilon,
    int ConvLayers, long Parameters);

/// <summary>
/// Maps the CNTK ResNet ONNX graph (basic blocks; Conv -> BatchNormalization everywhere, no conv biases; input BGR) onto
/// <see cref="ResNet"/> by the graph's structure, not by initializer order: it walks back from the output through every
/// residual Add, tells the main path (3x3, 3x3) from the shortcut (identity or 1x1 projection), then reaches the stem
/// (7x7 conv, BN, ReLU, 3x3 max-pool). Each BN node's scale, bias, mean and variance become the FrozenBN buffers
/// (weight, bias, running_mean, running_var). The stem conv's input channels are reversed (BGR to RGB), so the
/// imported network takes RGB like every other model of the project; nothing else changes.
///
/// Padding: CNTK wrote asymmetric pads for its stride-2 layers ([1, 1, 0, 0] and [3, 3, 2, 2]: one less at the bottom and
/// right). On an even-sized input that missing row and column is never reached by any window, so torch's symmetric
/// padding gives the same numbers; all feature maps of a 224 px input (and any multiple of 32) are even. The importer
/// checks that every pad is either symmetric or of this kind.
/// </summary>
public static class CntkResNetImporter
{
    sealed record ConvBn(NodeProto Conv, NodeProto Bn)
    {
        public string Input => Conv.Input[0];
    }

    sealed record Block(ConvBn Conv1, ConvBn Conv2, ConvBn? Projection, string Input, int Stride);

    public static ImportedResNet Import(OnnxGraph g, ResNetSpec expected)
    {
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1)
            throw new InvalidDataException($"{g.Path}: expected one input and one output, found {g.Inputs.Count} and {g.Outputs.Count}");
        string input = g.Inputs[0];

        // Output: global average pool of the last block.
        var pool = g.Expect(g.Outputs[0], "AveragePool", "the output");
        string x = pool.Input[0];
        var blocks = new List<Block>();
        NodeProto? stemPool = null;
        while (true)
        {
            var node = g.Producer(x) ?? throw new InvalidDataException($"{g.Path}: '{x}' has no producer before the stem was found");
            if (node.OpType == "MaxPool") { stemPool = node; break; }
            var relu = g.Expect(x, "Relu", "a block output");
            var add = g.Expect(relu.Input[0], "Add", "a block output");
            var block = ReadBlock(g, add);
            blocks.Add(block);
            x = block.Input;
        }
        blocks.Reverse();

        var stemRelu = g.Expect(stemPool.Input[0], "Relu", "the stem");
        var stem = ReadConvBn(g, stemRelu.Input[0], "the stem");
        if (stem.Input != input) throw new InvalidDataException($"{g.Path}: the stem conv reads '{stem.Input}', not the graph input '{input}'");
        CheckPool(g, stemPool, 3, 2);
        CheckConv(g, stem.Conv, 7, 2);

        // Stages: a stride-2 block starts a new one.
        var stageOf = new int[blocks.Count];
        var perStage = new List<int> { 0 };
        for (int i = 0; i < blocks.Count; i++)
        {
            if (i > 0 && blocks[i].Stride == 2) perStage.Add(0);
            perStage[^1]++;
            stageOf[i] = perStage.Count - 1;
        }
        int[] layout = perStage.ToArray();
        if (!layout.SequenceEqual(expected.Blocks) || expected.Bottleneck)
            throw new InvalidDataException($"{g.Path}: the graph has basic blocks [{string.Join(", ", layout)}] per stage, not {expected.Name}'s [{string.Join(", ", expected.Blocks)}]");

        var state = new Dictionary<string, Tensor>();
        var epsilons = new List<float>();
        void Put(string prefix, ConvBn cb, string bnPrefix, bool bgrToRgb = false)
        {
            if (cb.Conv.Input.Count > 2) throw new InvalidDataException($"{g.Path}: conv '{cb.Conv.Name}' has a bias; the project's convs before a norm have none");
            var w = g.Float(cb.Conv.Input[1]);
            state[prefix + ".weight"] = bgrToRgb ? w.flip(1).contiguous() : w;
            state[bnPrefix + ".weight"] = g.Float(cb.Bn.Input[1]);
            state[bnPrefix + ".bias"] = g.Float(cb.Bn.Input[2]);
            state[bnPrefix + ".running_mean"] = g.Float(cb.Bn.Input[3]);
            state[bnPrefix + ".running_var"] = g.Float(cb.Bn.Input[4]);
            epsilons.Add(OnnxGraph.Float(cb.Bn, "epsilon", 1e-5f));
        }
        Put("conv1", stem, "bn1", bgrToRgb: true);
        var indexInStage = new int[layout.Length];
        for (int i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            string p = $"layer{stageOf[i] + 1}.{indexInStage[stageOf[i]]++}";
            Put(p + ".conv1", b.Conv1, p + ".bn1");
            Put(p + ".conv2", b.Conv2, p + ".bn2");
            if (b.Projection is not null) Put(p + ".downsample.0", b.Projection, p + ".downsample.1");
        }
        float eps = epsilons[0];
        if (epsilons.Any(e => Math.Abs(e - 1e-5f) > 1e-9f))
            throw new InvalidDataException($"{g.Path}: BatchNormalization epsilons {string.Join(", ", epsilons.Distinct())} differ from the 1e-5 the project's norms use");
        int convs = 1 + blocks.Sum(b => b.Projection is null ? 2 : 3);
        long parameters = state.Where(kv => !kv.Key.EndsWith("running_mean", StringComparison.Ordinal) && !kv.Key.EndsWith("running_var", StringComparison.Ordinal))
            .Sum(kv => kv.Value.numel());
        return new ImportedResNet(expected, state, layout, eps, convs, parameters);
    }

    static Block ReadBlock(OnnxGraph g, NodeProto add)
    {
        if (add.Input.Count != 2) throw new InvalidDataException($"{g.Path}: Add '{add.Name}' has {add.Input.Count} inputs");
        // The main path ends in a 3x3 conv's BN; the shortcut is a 1x1 conv's BN or the block input itself.
        ConvBn? main = null, projection = null;
        string? identity = null;
        foreach (var t in add.Input)
        {
            var p = g.Producer(t);
            if (p?.OpType == "BatchNormalization")
            {
                var cb = ReadConvBn(g, t, $"block '{add.Name}'");
                long k = OnnxGraph.Ints(cb.Conv, "kernel_shape", [0, 0])[0];
                if (k == 3 && main is null) main = cb;
                else if (k == 1 && projection is null) projection = cb;
                else throw new InvalidDataException($"{g.Path}: block '{add.Name}': unexpected {k}x{k} conv '{cb.Conv.Name}' into the sum");
            }
            else identity = t;
        }
        if (main is null) throw new InvalidDataException($"{g.Path}: block '{add.Name}' has no 3x3 main path");
        var relu = g.Expect(main.Input, "Relu", $"block '{add.Name}' between its convs");
        var conv1 = ReadConvBn(g, relu.Input[0], $"block '{add.Name}'");
        string blockInput = conv1.Input;
        if (projection is not null && projection.Input != blockInput)
            throw new InvalidDataException($"{g.Path}: block '{add.Name}': the projection reads '{projection.Input}', the main path '{blockInput}'");
        if (projection is null && identity != blockInput)
            throw new InvalidDataException($"{g.Path}: block '{add.Name}': the identity shortcut '{identity}' is not the block input '{blockInput}'");
        int stride = (int)OnnxGraph.Ints(conv1.Conv, "strides", [1, 1])[0];
        CheckConv(g, conv1.Conv, 3, stride);
        CheckConv(g, main.Conv, 3, 1);
        if (projection is not null) CheckConv(g, projection.Conv, 1, stride);
        else if (stride != 1) throw new InvalidDataException($"{g.Path}: block '{add.Name}' has stride {stride} but no projection shortcut");
        return new Block(conv1, main, projection, blockInput, stride);
    }

    static ConvBn ReadConvBn(OnnxGraph g, string bnOutput, string context)
    {
        var bn = g.Expect(bnOutput, "BatchNormalization", context);
        var conv = g.Expect(bn.Input[0], "Conv", context);
        return new ConvBn(conv, bn);
    }

    static void CheckConv(OnnxGraph g, NodeProto conv, int kernel, int stride)
    {
        var k = OnnxGraph.Ints(conv, "kernel_shape", []);
        var s = OnnxGraph.Ints(conv, "strides", [1, 1]);
        var d = OnnxGraph.Ints(conv, "dilations", [1, 1]);
        if (!k.SequenceEqual(new long[] { kernel, kernel }) || !s.SequenceEqual(new long[] { stride, stride }) || d.Any(v => v != 1) || OnnxGraph.Int(conv, "group", 1) != 1)
            throw new InvalidDataException($"{g.Path}: conv '{conv.Name}' is kernel [{string.Join(",", k)}] stride [{string.Join(",", s)}] dilation [{string.Join(",", d)}], expected {kernel}x{kernel} stride {stride}, no dilation, one group");
        CheckPads(g, conv, kernel, stride);
    }

    static void CheckPool(OnnxGraph g, NodeProto pool, int kernel, int stride)
    {
        var k = OnnxGraph.Ints(pool, "kernel_shape", []);
        var s = OnnxGraph.Ints(pool, "strides", [1, 1]);
        if (!k.SequenceEqual(new long[] { kernel, kernel }) || !s.SequenceEqual(new long[] { stride, stride }))
            throw new InvalidDataException($"{g.Path}: max-pool '{pool.Name}' is kernel [{string.Join(",", k)}] stride [{string.Join(",", s)}], expected {kernel}x{kernel} stride {stride}");
        CheckPads(g, pool, kernel, stride);
    }

    /// <summary>Pads must begin with kernel/2 and end with kernel/2, or (stride 2) one less: same numbers as torch on even inputs.</summary>
    static void CheckPads(OnnxGraph g, NodeProto node, int kernel, int stride)
    {
        if (OnnxGraph.Text(node, "auto_pad", "NOTSET") != "NOTSET")
            throw new InvalidDataException($"{g.Path}: '{node.Name}' uses auto_pad, which the importer does not map");
        var pads = OnnxGraph.Ints(node, "pads", [0, 0, 0, 0]);
        long p = kernel / 2;
        bool ok = pads.Length == 4 && pads[0] == p && pads[1] == p
                  && (pads[2] == p || (stride == 2 && pads[2] == p - 1)) && (pads[3] == p || (stride == 2 && pads[3] == p - 1));
        if (!ok) throw new InvalidDataException($"{g.Path}: '{node.Name}' has pads [{string.Join(",", pads)}], which torch's symmetric padding {p} does not reproduce");
    }

    /// <summary>A FrozenBN <see cref="ResNet"/> of the imported spec holding the imported tensors (every one of them checked by name and shape).</summary>
    public static ResNet ToModel(ImportedResNet imported)
    {
        var model = new ResNet(imported.Spec, NormKind.FrozenBN);
        var target = model.state_dict();
        var missing = target.Keys.Where(k => !imported.State.ContainsKey(k)).ToList();
        var extra = imported.State.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidDataException($"the imported tensors do not match {imported.Spec.Name}: missing {string.Join(", ", missing.Take(5))}; extra {string.Join(", ", extra.Take(5))}");
        using (no_grad())
            foreach (var (name, t) in target)
            {
                var s = imported.State[name];
                if (!s.shape.SequenceEqual(t.shape))
                    throw new InvalidDataException($"'{name}' is ({string.Join(", ", s.shape)}) in the ONNX graph but ({string.Join(", ", t.shape)}) in {imported.Spec.Name}");
                t.copy_(s);
            }
        model.eval();
        return model;
    }
}
