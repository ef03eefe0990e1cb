using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Rethink.Experiments.Charts;
using Rethink.Training;

namespace Rethink.Kernel;

/// <summary>
/// A chart that updates in place while a run trains: shows the curve once, then replaces that output on new
/// iterations (at most every <c>minInterval</c>), on each evaluation and at the end. Outside a kernel it does nothing.
/// </summary>
public sealed class LiveChart
{
    TrainingCurve curve;
    readonly TimeSpan minInterval;
    readonly DisplayedValue? displayed;
    DateTime last = DateTime.MinValue;

    LiveChart(TrainingCurve curve, TimeSpan minInterval)
    {
        this.curve = curve;
        this.minInterval = minInterval;
        var context = KernelInvocationContext.Current;
        // plotly.js in an output of its own: the chart's output is replaced on each update, and a saved notebook must
        // keep the library once.
        string library = context is null ? "" : PlotlyHtml.LibraryIfNotSent();
        if (library.Length > 0) context!.DisplayAs(library, HtmlFormatter.MimeType);
        displayed = context?.Display(curve, HtmlFormatter.MimeType);
        Events = new TrainingEvents();
        curve.Attach(Events);
        Events.Iteration += m => Refresh(force: m.Iteration == m.TotalIterations);
        Events.Evaluation += _ => Refresh(force: true);
    }

    /// <summary>The events to hand to the run (DetectionExperiment.Run, NotebookSession.Train).</summary>
    public TrainingEvents Events { get; }

    public int Updates { get; private set; }

    /// <summary>Shows <paramref name="curve"/> and returns the live chart whose <see cref="Events"/> feed it.</summary>
    public static LiveChart Show(TrainingCurve curve, double minSeconds = 1.0) => new(curve, TimeSpan.FromSeconds(minSeconds));

    /// <summary>
    /// After the run: when no iteration came through (the run had finished before and was read back), shows the curve
    /// from its files instead; then draws the final state.
    /// </summary>
    public void Finish(string runDirectory)
    {
        if (curve.Count == 0) curve = TrainingCurve.Load(runDirectory, curve.Title + " (read back from a finished run)");
        Refresh(force: true);
    }

    public void Refresh(bool force = false)
    {
        if (displayed is null) return;
        var now = DateTime.UtcNow;
        if (!force && now - last < minInterval) return;
        last = now;
        displayed.Update(curve);
        Updates++;
    }
}
