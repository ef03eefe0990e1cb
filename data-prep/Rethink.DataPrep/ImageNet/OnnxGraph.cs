using System.Runtime.InteropServices;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.DataPrep.ImageNet;

/// <summary>An ONNX model's graph with lookups by tensor name: initializers, the node producing each tensor, attributes.</summary>
public sealed class OnnxGraph
{
    readonly Dictionary<string, TensorProto> initializers;
    readonly Dictionary<string, NodeProto> producers = new();

    public OnnxGraph(string path)
    {
        Path = path;
        using var stream = File.OpenRead(path);
        Model = ModelProto.Parser.ParseFrom(stream);
        Graph = Model.Graph ?? throw new InvalidDataException($"{path}: the ONNX model has no graph");
        initializers = Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var n in Graph.Node)
            foreach (var o in n.Output) producers[o] = n;
        Inputs = Graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n)).ToList();
        Outputs = Graph.Output.Select(o => o.Name).ToList();
    }

    public string Path { get; }
    public ModelProto Model { get; }
    public GraphProto Graph { get; }
    /// <summary>Graph inputs that are not initializers (the data inputs).</summary>
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    public IEnumerable<NodeProto> Nodes => Graph.Node;
    public int OpsetVersion => (int)(Model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);

    public bool IsInitializer(string name) => initializers.ContainsKey(name);

    /// <summary>The node whose output is <paramref name="tensor"/>, or null for graph inputs and initializers.</summary>
    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    /// <summary>The node producing <paramref name="tensor"/>, which must be an <paramref name="opType"/>.</summary>
    public NodeProto Expect(string tensor, string opType, string context)
    {
        var n = Producer(tensor);
        if (n is null || n.OpType != opType)
            throw new InvalidDataException($"{Path}: {context}: expected '{tensor}' to come from a {opType} node, found {(n is null ? "no node" : $"{n.OpType} '{n.Name}'")}");
        return n;
    }

    public TensorProto Initializer(string name) =>
        initializers.GetValueOrDefault(name) ?? throw new InvalidDataException($"{Path}: no initializer named '{name}'");

    /// <summary>An initializer as a float32 tensor of its shape (float_data or raw little-endian bytes).</summary>
    public Tensor Float(string name)
    {
        var t = Initializer(name);
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{Path}: initializer '{name}' has data type {t.DataType}, not float");
        float[] values = t.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray()
            : t.FloatData.ToArray();
        long[] dims = t.Dims.ToArray();
        if (values.LongLength != dims.Aggregate(1L, (a, b) => a * b))
            throw new InvalidDataException($"{Path}: initializer '{name}' holds {values.Length} values for shape [{string.Join(", ", dims)}]");
        return tensor(values, dims);
    }

    public static long[] Ints(NodeProto node, string name, long[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : fallback;

    public static long Int(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    public static string Text(NodeProto node, string name, string fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;
}
