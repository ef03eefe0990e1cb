// Charts of finished runs with Plotly.NET, from F#: every finished detection run under runs/reproduce-SCALE/runs,
// final bbox AP against images seen per family (norm, init), and each run's loss curve. Writes offline HTML pages
// (plotly.js embedded) to artifacts/fsx/. Runs nothing: run a notebook, `./rethink reproduce` or sweep.fsx first.
//   dotnet fsi scripts/charts.fsx [smoke|tiny|small]
#load "../notebooks/setup.fsx"
open System.IO
open Plotly.NET
open Rethink.Experiments
open Rethink.Experiments.Charts

let scale = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "tiny"
let session = NotebookSession.Start(scale, "cpu")
let runsDir = Path.Combine(session.Root, "runs")
let finished =
    if Directory.Exists runsDir then
        Directory.GetDirectories runsDir
        |> Array.filter (fun d -> File.Exists(Path.Combine(d, "done.json")) && not (Path.GetFileName(d).StartsWith "pretrain"))
        |> Array.map RunResult.Load
        |> Array.sortBy (fun r -> r.Outcome.ImagesSeen)
    else [||]
if finished.Length = 0 then failwithf "no finished detection runs under %s: run a notebook or `./rethink reproduce --scale %s` first" runsDir scale

let family (r: RunResult) =
    let init = if r.Config.Init.StartsWith "pretrained" then "pre-trained" else r.Config.Init
    $"{r.Config.Norm}, {init}, batch {r.Config.BatchSize}"

let apChart =
    finished
    |> Array.groupBy family
    |> Array.map (fun (name, runs) ->
        Chart.Line(runs |> Array.map (fun r -> float r.Outcome.ImagesSeen), runs |> Array.map (fun r -> 100.0 * r.Final "bbox/AP"), Name = name, ShowMarkers = true))
    |> Chart.combine
    |> Chart.withTitle $"Finished runs at scale {scale}: bbox AP against images seen"
    |> Chart.withXAxisStyle "images seen"
    |> Chart.withYAxisStyle "bbox AP"

let lossChart =
    finished
    |> Array.map (fun r ->
        let c = TrainingCurve.Load r.Directory
        let fig = c.Figure()
        let t = fig.Traces.[1] // the smoothed loss
        let xs = t.["x"].AsArray() |> Seq.map (fun v -> v.GetValue<float>()) |> Array.ofSeq
        let ys = t.["y"].AsArray() |> Seq.map (fun v -> v.GetValue<float>()) |> Array.ofSeq
        Chart.Line(xs, ys, Name = Path.GetFileName r.Directory))
    |> Chart.combine
    |> Chart.withTitle "Total loss (mean of 10 iterations)"
    |> Chart.withXAxisStyle "iteration"

let offline = DisplayOptions.init (PlotlyJSReference = PlotlyJSReference.Full)
let out = Setup.artifacts session
for (name, chart) in [ "runs-ap", apChart; "runs-loss", lossChart ] do
    let path = Path.Combine(out, $"{name}-{scale}")
    chart |> Chart.withDisplayOptions offline |> Chart.saveHtml path
    printfn "wrote %s.html (%d runs)" path finished.Length
