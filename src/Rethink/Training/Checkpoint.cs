using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>Where a run stood when its checkpoint was written.</summary>
public sealed record CheckpointInfo(long Iteration, long ImagesSeen, double TrainSeconds, string ConfigHash);

/// <summary>
/// A checkpoint file: a JSON header (<see cref="CheckpointInfo"/>) then named tensors: the model's parameters and
/// buffers ("model/..."), the optimizer's momentum ("optimizer/..."), and the CPU random generator ("rng/cpu").
/// Written atomically: to a temporary file, flushed, then renamed over the final name, so a run killed at any
/// moment leaves either the old checkpoint or the new one, never half of one.
/// </summary>
public static class Checkpoint
{
    const string Magic = "RETHINK-CKPT-1";

    public static void Save(string path, CheckpointInfo info, nn.Module model, SgdOptimizer? optimizer)
    {
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, t) in model.state_dict()) tensors.Add(("model/" + name, t));
        if (optimizer is not null) foreach (var (name, t) in optimizer.State) tensors.Add(("optimizer/" + name, t));
        using var rng = torch.get_rng_state();
        tensors.Add(("rng/cpu", rng));
        string tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(JsonSerializer.Serialize(info));
            w.Write(tensors.Count);
            foreach (var (name, t) in tensors)
            {
                w.Write(name);
                using var cpu = t.detach().cpu();
                cpu.Save(w);
            }
            w.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static CheckpointInfo ReadInfo(string path)
    {
        using var r = Open(path);
        return JsonSerializer.Deserialize<CheckpointInfo>(r.ReadString()) ?? throw new InvalidDataException($"{path}: empty checkpoint header");
    }

    /// <summary>Restores model (and optimizer and random generator when given) and returns where the run stood.</summary>
    public static CheckpointInfo Load(string path, nn.Module model, SgdOptimizer? optimizer = null, bool restoreRng = true)
    {
        using var r = Open(path);
        var info = JsonSerializer.Deserialize<CheckpointInfo>(r.ReadString()) ?? throw new InvalidDataException($"{path}: empty checkpoint header");
        int count = r.ReadInt32();
        var modelState = model.state_dict();
        var optState = new Dictionary<string, Tensor>();
        var seen = new HashSet<string>();
        using var scope = NewDisposeScope();
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            var t = TensorExtensionMethods.Load(r);
            if (name.StartsWith("model/", StringComparison.Ordinal))
            {
                string key = name["model/".Length..];
                if (!modelState.TryGetValue(key, out var target))
                    throw new InvalidDataException($"{path}: the checkpoint has '{key}', which this model does not have (a different architecture?)");
                if (!target.shape.SequenceEqual(t.shape))
                    throw new InvalidDataException($"{path}: '{key}' is ({string.Join(", ", t.shape)}) in the checkpoint but ({string.Join(", ", target.shape)}) in the model");
                using (no_grad()) target.copy_(t);
                seen.Add(key);
            }
            else if (name.StartsWith("optimizer/", StringComparison.Ordinal)) optState[name["optimizer/".Length..]] = t;
            else if (name == "rng/cpu" && restoreRng) torch.set_rng_state(t);
        }
        var missing = modelState.Keys.Where(k => !seen.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{path}: the checkpoint lacks {missing.Count} of the model's tensors, e.g. '{missing[0]}'");
        optimizer?.LoadState(optState);
        return info;
    }

    static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        string magic;
        try { magic = r.ReadString(); }
        catch (EndOfStreamException) { r.Dispose(); throw new InvalidDataException($"{path}: not a Rethink checkpoint (empty or truncated)"); }
        if (magic != Magic) { r.Dispose(); throw new InvalidDataException($"{path}: not a Rethink checkpoint"); }
        return r;
    }
}
