// One conv layer's forward + backward in fp32 against bf16 (inputs and weights cast, output cast back), 2 threads:
// how much a mixed-precision conv path could gain on this CPU (issue 2). Run after `./rethink doctor` has built
// artifacts/cli:  dotnet fsi benchmarks/bf16_conv.fsx
#r "../artifacts/cli/TorchSharp.dll"
#r "../artifacts/cli/Rethink.dll"
open TorchSharp
open type TorchSharp.torch
let time name (f: unit -> unit) =
    f (); f ()
    let sw = System.Diagnostics.Stopwatch.StartNew()
    for _ in 1..5 do f ()
    printfn "%s: %.1f ms" name (sw.Elapsed.TotalMilliseconds / 5.0)
Rethink.Runtime.TorchRuntime.EnsureLoaded()
torch.set_num_threads(2)
for (cin, cout, hw, k) in [ (64, 64, 80, 3); (128, 128, 40, 3); (256, 256, 20, 3); (256, 1024, 20, 1) ] do
    let x = randn(2L, System.Convert.ToInt64(cin), System.Convert.ToInt64(hw), System.Convert.ToInt64(hw)).requires_grad_(true)
    let w = (randn(System.Convert.ToInt64(cout), System.Convert.ToInt64(cin), System.Convert.ToInt64(k), System.Convert.ToInt64(k)) * 0.01).requires_grad_(true)
    let run (dt: ScalarType) () =
        use scope = NewDisposeScope()
        let pad = System.Convert.ToInt64(k / 2)
        let y = torch.nn.functional.conv2d(x.``to``(dt), w.``to``(dt), null, [| 1L; 1L |], [| pad; pad |]).``to``(ScalarType.Float32)
        y.sum().backward()
    time (sprintf "conv %d->%d %dx%d k%d fp32" cin cout hw hw k) (run ScalarType.Float32)
    time (sprintf "conv %d->%d %dx%d k%d bf16" cin cout hw hw k) (run ScalarType.BFloat16)
