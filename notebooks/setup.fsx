// The F# twin of setup.csx: F# notebook cells and the scripts in scripts/ start with #load "setup.fsx" (or
// "../notebooks/setup.fsx"), then `open` what they use (opens inside a #load-ed file stay in it). The assemblies come
// from artifacts/kernel/ (built by ./rethink, tests/run.sh or `dotnet build Research.sln`). Plotly.NET 6 needs
// FSharp.Core 10.1: `dotnet fsi` of SDK 10.0.4xx and the Rethink kernel have it; the official dotnet-interactive 1.0.712001 does not.
#r "../artifacts/kernel/TorchSharp.dll"
#r "../artifacts/kernel/Rethink.dll"
#r "../artifacts/kernel/Rethink.DataPrep.dll"
#r "../artifacts/kernel/Rethink.Experiments.dll"
#r "../artifacts/kernel/Microsoft.Data.Analysis.dll"
#r "../artifacts/kernel/Newtonsoft.Json.dll"
#r "../artifacts/kernel/DynamicObj.dll"
#r "../artifacts/kernel/Giraffe.ViewEngine.dll"
#r "../artifacts/kernel/Plotly.NET.dll"

/// Where an F# script or cell may write (artifacts/fsx under the repository), created on first use.
let artifacts (session: Rethink.Experiments.NotebookSession) =
    let dir = System.IO.Path.Combine(session.RepoRoot, "artifacts", "fsx")
    System.IO.Directory.CreateDirectory dir |> ignore
    dir
