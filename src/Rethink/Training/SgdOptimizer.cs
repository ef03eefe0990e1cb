using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>Optimizer settings: SGD with momentum, weight decay (optionally none on norm parameters and biases), clipping.</summary>
public sealed record OptimizerConfig
{
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Detectron2's default: no weight decay on normalization parameters and biases.</summary>
    public bool NoDecayOnNormAndBias { get; init; } = true;
    /// <summary>Clip the global gradient norm at this value; null does not clip.</summary>
    public double? ClipGradNorm { get; init; }
}

/// <summary>
/// SGD with momentum as PyTorch defines it (buf = m * buf + g + wd * p; p -= lr * buf), written out so that its state is
/// a set of named tensors a checkpoint can save and restore exactly.
/// </summary>
public sealed class SgdOptimizer
{
    readonly List<(string name, Tensor param, bool decay)> parameters;
    readonly Dictionary<string, Tensor> momentum = new();

    public SgdOptimizer(nn.Module model, OptimizerConfig config)
    {
        Config = config;
        var normParams = new HashSet<string>();
        foreach (var (name, module) in model.named_modules())
            if (Modeling.Layers.Norms.IsNorm(module))
                foreach (var (pn, _) in module.named_parameters())
                    normParams.Add(string.IsNullOrEmpty(name) ? pn : $"{name}.{pn}");
        parameters = model.named_parameters()
            .Where(p => p.parameter.requires_grad)
            .Select(p => (p.name, (Tensor)p.parameter,
                !(config.NoDecayOnNormAndBias && (normParams.Contains(p.name) || p.name.EndsWith(".bias", StringComparison.Ordinal) || p.name == "bias"))))
            .ToList();
    }

    public OptimizerConfig Config { get; }
    public int ParameterCount => parameters.Count;
    public int DecayedParameterCount => parameters.Count(p => p.decay);

    public void ZeroGrad()
    {
        foreach (var (_, p, _) in parameters) p.grad?.zero_();
    }

    /// <summary>One update at learning rate <paramref name="lr"/>; returns the gradient norm before clipping.</summary>
    public double Step(double lr)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var grads = parameters.Where(p => p.param.grad is not null).Select(p => p.param.grad!).ToList();
        double norm = grads.Count == 0 ? 0 : Scalars.ToDouble(stack(grads.Select(g => g.norm()).ToList()).norm());
        double clip = Config.ClipGradNorm is double c && norm > c ? c / (norm + 1e-6) : 1.0;
        // The learning rate and the clip factor change from step to step, so they are not cached: these Scalars are
        // disposed at the end of the method, which keeps them alive across every op that reads them.
        using var negLr = (-lr).ToScalar();
        using var clipFactor = clip.ToScalar();
        var weightDecay = Scalars.Of(Config.WeightDecay);
        var momentumFactor = Scalars.Of(Config.Momentum);
        foreach (var (name, p, decay) in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var d = clip != 1.0 ? g.mul(clipFactor) : g.clone();
            if (decay && Config.WeightDecay != 0) d.add_(p, weightDecay);
            if (Config.Momentum != 0)
            {
                if (!momentum.TryGetValue(name, out var buf))
                {
                    buf = d.detach().clone().DetachFromDisposeScope();
                    momentum[name] = buf;
                }
                else buf.mul_(momentumFactor).add_(d, Scalars.One);
                d = buf;
            }
            p.add_(d, negLr);
        }
        return norm;
    }

    /// <summary>Momentum buffers by parameter name, for checkpoints.</summary>
    public IReadOnlyDictionary<string, Tensor> State => momentum;

    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var t in momentum.Values) t.Dispose();
        momentum.Clear();
        var known = parameters.ToDictionary(p => p.name, p => p.param);
        foreach (var (name, t) in state)
        {
            if (!known.TryGetValue(name, out var p)) throw new InvalidDataException($"optimizer state names a parameter the model does not have: {name}");
            momentum[name] = t.to(p.device).detach().clone().DetachFromDisposeScope();
        }
    }
}
