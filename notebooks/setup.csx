// The one setup every notebook loads in its first cell (#!import setup.csx): the Rethink library and the kernel's
// formatters, from artifacts/kernel/ (built by ./rethink, tests/run.sh or `dotnet build Research.sln`). Works in the
// headless runner (./rethink notebooks run), in VS Code (Rethink kernel or the official Polyglot Notebooks one) and in
// Jupyter with the .NET Interactive kernel: see README, "Notebooks".
#r "../artifacts/kernel/TorchSharp.dll"
#r "../artifacts/kernel/Rethink.dll"
#r "../artifacts/kernel/Rethink.DataPrep.dll"
#r "../artifacts/kernel/Rethink.Experiments.dll"
#r "../artifacts/kernel/Rethink.Kernel.dll"
#r "../artifacts/kernel/Microsoft.Data.Analysis.dll"
using Rethink.Experiments;
using Rethink.Experiments.Charts;
using Rethink.Experiments.Sweeps;
using Rethink.Kernel;
using TorchSharp;
Rethink.Kernel.Formatters.Register();
