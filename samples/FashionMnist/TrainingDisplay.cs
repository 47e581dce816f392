using System;
using System.Globalization;
using DslNet.Data;
using DslNet.Training;
using Spectre.Console;

namespace FashionMnist;

/// <summary>
/// Shows a Trainer at work: a live Spectre.Console progress bar per epoch on a terminal (plain
/// lines in a log), and one line per finished epoch with the training, validation and test numbers.
/// It is both the Trainer's IProgress (batch progress) and a callback (epoch end: test accuracy).
/// </summary>
internal sealed class TrainingDisplay : IProgress<TrainingProgress>, ITrainingCallback
{
    private readonly Dataset _test;
    private ProgressContext? _live;
    private ProgressTask? _task;

    public TrainingDisplay(Dataset test) => _test = test;

    /// <summary>Runs <paramref name="fit"/> under a live progress display when the console is a terminal.</summary>
    public TrainingResult Run(Func<IProgress<TrainingProgress>, TrainingResult> fit)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return fit(this);
        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                _live = context;
                try { return fit(this); }
                finally { _live = null; }
            });
    }

    public void OnEpochBegin(TrainingContext context)
    {
        _task = _live?.AddTask($"epoch {context.Epoch}/{context.Epochs}");
    }

    public void Report(TrainingProgress value)
    {
        if (_task is null) return;
        _task.MaxValue = value.BatchesPerEpoch;
        _task.Value = value.Batch;
        _task.Description = value.Phase == TrainingPhase.Validating
            ? $"epoch {value.Epoch}/{value.Epochs}  validating…"
            : string.Create(CultureInfo.InvariantCulture, $"epoch {value.Epoch}/{value.Epochs}  loss {value.Loss:F4}  accuracy {100 * value.Accuracy:F2}%");
    }

    public void OnEpochEnd(TrainingContext context, EpochMetrics epoch)
    {
        if (_task is not null)
        {
            _task.Description = $"epoch {epoch.Epoch}/{context.Epochs}  testing…";
            _live?.Refresh();
        }
        double test = context.Trainer.Evaluate(_test).Accuracy;
        _task?.StopTask();
        string validation = epoch.Validation is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"  val loss {v.Loss:F4}  val accuracy {100 * v.Accuracy:F2}%")
            : "";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"  epoch {epoch.Epoch}/{context.Epochs}  loss {epoch.Loss:F4}  train accuracy {100 * epoch.Accuracy:F2}%{validation}  test accuracy {100 * test:F2}%  ({epoch.Duration.TotalSeconds:F1} s)");
        if (_live is null)
            Console.WriteLine(line + (epoch.IsBest ? "  best" : "")); // a log: plain text, never wrapped
        else
            AnsiConsole.MarkupLine(Markup.Escape(line) + (epoch.IsBest ? "  [green]best[/]" : ""));
    }
}
