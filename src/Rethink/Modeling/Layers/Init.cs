using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>Weight initialisations by name, as the paper and Detectron use them.</summary>
public static class Init
{
    /// <summary>MSRA (He) normal init, fan-out, for ReLU networks: the paper's from-scratch init.</summary>
    public static void MsraFill(Tensor weight)
    {
        using var _ = no_grad();
        nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
    }

    /// <summary>Caffe2's XavierFill as Detectron uses it for FPN and RPN convs: uniform with a = sqrt(3 / fan_in).</summary>
    public static void KaimingUniformA1(Tensor weight)
    {
        using var _ = no_grad();
        nn.init.kaiming_uniform_(weight, a: 1);
    }

    public static void Normal(Tensor weight, double std)
    {
        using var _ = no_grad();
        nn.init.normal_(weight, 0, std);
    }

    public static void Zero(Tensor? t)
    {
        if (t is null) return;
        using var _ = no_grad();
        nn.init.zeros_(t);
    }

    /// <summary>MSRA init for every convolution of a module tree, ones/zeros for norm affine terms, zero biases.</summary>
    public static void MsraAll(nn.Module root)
    {
        foreach (var (_, m) in root.named_modules())
        {
            switch (m)
            {
                case TorchSharp.Modules.Conv2d c:
                    MsraFill(c.weight!);
                    Zero(c.bias);
                    break;
                case PointwiseConv p:
                    MsraFill(p.weight);
                    Zero(p.bias);
                    break;
            }
        }
    }
}
