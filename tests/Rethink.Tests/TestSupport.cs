using System.Text.Json;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests;

/// <summary>Shared helpers: libtorch loaded once, fixtures, JSON arrays to tensors.</summary>
public static class TestSupport
{
    static TestSupport() => TorchRuntime.EnsureLoaded();

    public static void Init() => TorchRuntime.EnsureLoaded();

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static JsonElement LoadJson(string name) => JsonDocument.Parse(File.ReadAllText(Fixture(name))).RootElement;

    /// <summary>A nested JSON array of numbers as a float64 tensor of its shape.</summary>
    public static Tensor ToTensor(JsonElement e, ScalarType dtype = ScalarType.Float64)
    {
        var shape = new List<long>();
        var cur = e;
        while (cur.ValueKind == JsonValueKind.Array)
        {
            shape.Add(cur.GetArrayLength());
            if (cur.GetArrayLength() == 0) break;
            cur = cur[0];
        }
        var values = new List<double>();
        Flatten(e, values);
        return tensor(values.ToArray(), shape.ToArray(), dtype: ScalarType.Float64).to(dtype);
    }

    static void Flatten(JsonElement e, List<double> into)
    {
        if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Flatten(x, into);
        else into.Add(e.GetDouble());
    }

    public static double MaxAbsDiff(Tensor a, Tensor b) =>
        a.numel() == 0 && b.numel() == 0 ? 0 : (a.to(float64) - b.to(float64)).abs().max().item<double>();
}
