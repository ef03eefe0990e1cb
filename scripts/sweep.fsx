// A hyper-parameter sweep over detection experiments, from F#: learning rate x GroupNorm groups, GN from random init,
// at a scale (smoke | tiny | small; default tiny). Finished runs are reused. Writes artifacts/fsx/sweep-SCALE.csv.
//   dotnet fsi scripts/sweep.fsx [smoke|tiny|small]
#load "../notebooks/setup.fsx"
open System
open System.Globalization
open Rethink.Experiments
open Rethink.Experiments.Sweeps

let scale = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "tiny"
let session = NotebookSession.Start(scale, "auto")
let baseConfig = session.Plan.Detection.With(norm = "gn", init = "scratch")

let learningRates = if scale = "smoke" then [ 0.01; 0.02 ] else [ 0.01; 0.02; 0.04 ]
let groups = if scale = "smoke" then [ 8 ] else [ 8; 16; 32 ]

let runs =
    [ for lr in learningRates do
        for g in groups ->
            SweepRun(readOnlyDict [ "lr", string lr; "groups", string g ], baseConfig.With(learningRate = lr, gnGroups = g)) ]

let outcome = Sweep.Run("lr x groups", runs, session.Root)

let csv = IO.Path.Combine(Setup.artifacts session, $"sweep-{scale}.csv")
let lines =
    [ yield "lr,groups,bbox_AP,mask_AP,train_seconds,run"
      for struct (run, r) in outcome.Runs ->
          String.Join(",", run.Factor "lr", run.Factor "groups",
                      (100.0 * r.Final "bbox/AP").ToString("F2", CultureInfo.InvariantCulture),
                      (100.0 * r.Final "segm/AP").ToString("F2", CultureInfo.InvariantCulture),
                      r.Outcome.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture), IO.Path.GetFileName r.Directory) ]
IO.File.WriteAllLines(csv, lines)
for l in lines do printfn "%s" l
let best = outcome.Runs |> Seq.maxBy (fun struct (_, r) -> let v = r.Final "bbox/AP" in if Double.IsNaN v then -1.0 else v)
let struct (bestRun, bestResult) = best
printfn "best: %s (%.1f bbox AP) of %d runs; wrote %s" bestRun.Label (100.0 * bestResult.Final "bbox/AP") outcome.Runs.Count csv
