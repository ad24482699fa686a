using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Metrics;

namespace Pipeline.Prediction;

/// <summary>
/// Writes <c>predictions.parquet</c>: one row per input image, predictions first, then rejects,
/// each in the order they are given (<see cref="PredictionSink"/> gives the predictions in path
/// order). Rows are written a row group at a time, so the writer holds one group's rows at most.
/// </summary>
/// <remarks>
/// Columns: <c>path</c> (string); <c>label</c> (the source's label, null for unlabelled image
/// files); <c>predicted_label</c> (null for a reject); <c>probability</c> (of the predicted label);
/// one <c>p_&lt;class&gt;</c> double per class, in the model's class order (a flat column per
/// class reads directly in pandas, DuckDB and Spark, unlike a list column); <c>reject_stage</c> and
/// <c>reject_reason</c> (null for a prediction). Every value column is nullable so that rejected
/// images sit in the same file as the predictions. The file's key-value metadata holds
/// <see cref="ClassesKey"/> (the classes as a JSON array) and <see cref="FeaturizerKey"/> (the
/// featurizer's ONNX SHA-256). The writer fills the stream it is given; the caller writes that
/// under a hidden temporary name and renames it into place (see <see cref="IO.AtomicFile"/>).
/// Not thread-safe: one consumer feeds it.
/// </remarks>
internal sealed class PredictionWriter : IAsyncDisposable
{
    public const string ClassesKey = "pipeline.classes";
    public const string FeaturizerKey = "pipeline.featurizer_sha256";
    public const string ProbabilityColumnPrefix = "p_";

    private const int RowGroupSize = 65_536;

    private readonly IReadOnlyList<string> _classes;
    private readonly DataField<string> _pathField = new("path", nullable: false);
    private readonly DataField<string> _labelField = new("label", nullable: true);
    private readonly DataField<string> _predictedField = new("predicted_label", nullable: true);
    private readonly DataField<double?> _probabilityField = new("probability");
    private readonly DataField<double?>[] _classFields;
    private readonly DataField<string> _stageField = new("reject_stage", nullable: true);
    private readonly DataField<string> _reasonField = new("reject_reason", nullable: true);
    private readonly double?[][] _perClass;
    private string[] _paths = [];
    private string?[] _labels = [];
    private string?[] _predicted = [];
    private double?[] _probability = [];
    private string?[] _stages = [];
    private string?[] _reasons = [];
    private ParquetWriter _writer = null!;
    private int _buffered;
    private bool _rejectsStarted;
    private bool _closed;

    private PredictionWriter(IReadOnlyList<string> classes)
    {
        _classes = classes;
        _classFields = classes.Select(c => new DataField<double?>(ProbabilityColumnPrefix + c)).ToArray();
        _perClass = new double?[classes.Count][];
        for (var c = 0; c < _perClass.Length; c++)
        {
            _perClass[c] = [];
        }
    }

    /// <summary>Predictions written so far.</summary>
    public int Predicted { get; private set; }

    /// <summary>Rejects written so far.</summary>
    public int Rejected { get; private set; }

    /// <summary>Starts a predictions file for <paramref name="model"/>'s classes in <paramref name="stream"/>.</summary>
    public static async Task<PredictionWriter> CreateAsync(Stream stream, ClassifierModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        var prediction = new PredictionWriter(model.Classes);
        var schema = new ParquetSchema(
        [
            prediction._pathField,
            prediction._labelField,
            prediction._predictedField,
            prediction._probabilityField,
            .. prediction._classFields,
            prediction._stageField,
            prediction._reasonField,
        ]);
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, CompressionLevel = CompressionLevel.Optimal };

        // Made here rather than in the constructor, which cannot await; the schema needs the fields the rows are written with.
        prediction._writer = await ParquetWriter.CreateAsync(schema, stream, options, append: false, cancellationToken).ConfigureAwait(false);
        prediction._writer.CustomMetadata = new Dictionary<string, string>
        {
            [ClassesKey] = JsonSerializer.Serialize(model.Classes),
            [FeaturizerKey] = model.Featurizer.ModelSha256,
        };
        return prediction;
    }

    /// <summary>
    /// Adds the prediction of one image from its class <paramref name="probabilities"/> (the model's
    /// class order), writing the row group once it is full. Not <c>async</c>, so that it can take a
    /// span: only a full group is awaited.
    /// </summary>
    public ValueTask WritePredictionAsync(string path, string? label, ReadOnlySpan<double> probabilities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNotEqual(probabilities.Length, _classes.Count, nameof(probabilities));
        ThrowIfClosed();
        if (_rejectsStarted)
        {
            throw new InvalidOperationException("Predictions come before the rejects in a predictions file; a prediction was added after a reject.");
        }

        var row = _buffered;
        EnsureRoom();
        for (var c = 0; c < probabilities.Length; c++)
        {
            _perClass[c][row] = probabilities[c];
        }

        var best = MulticlassEvaluator.ArgMax(probabilities);
        _paths[row] = path;
        _labels[row] = label;
        _predicted[row] = _classes[best];
        _probability[row] = probabilities[best];
        Predicted++;
        return AddedAsync(cancellationToken);
    }

    /// <summary>Adds a rejected image, after every prediction.</summary>
    public ValueTask WriteRejectAsync(Reject reject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reject);
        ThrowIfClosed();
        _rejectsStarted = true;
        var row = _buffered;
        EnsureRoom();
        _paths[row] = reject.Path;
        _stages[row] = reject.Stage;
        _reasons[row] = reject.Reason;
        Rejected++;
        return AddedAsync(cancellationToken);
    }

    /// <summary>Writes the last row group and the footer; the stream then holds the whole file.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        if (_buffered > 0)
        {
            await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
        }

        _closed = true;
        await _writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Without <see cref="CompleteAsync"/> the file is being thrown away (the run failed or
    /// stopped), so the footer is not written: writing it could only fail again on the disk that
    /// failed, and hide why the run ended. The stream is the caller's.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Grows the group's buffers, doubling up to <see cref="RowGroupSize"/>, before row
    /// <see cref="_buffered"/> is set: a full group is one array per class, 65,536 × 16 bytes each,
    /// so sizing them up front would cost a 1,000-class model a gigabyte to predict one image.
    /// </summary>
    private void EnsureRoom()
    {
        if (_buffered < _paths.Length)
        {
            return;
        }

        var size = Math.Min(RowGroupSize, Math.Max(16, _paths.Length * 2));
        Array.Resize(ref _paths, size);
        Array.Resize(ref _labels, size);
        Array.Resize(ref _predicted, size);
        Array.Resize(ref _probability, size);
        for (var c = 0; c < _perClass.Length; c++)
        {
            Array.Resize(ref _perClass[c], size);
        }

        Array.Resize(ref _stages, size);
        Array.Resize(ref _reasons, size);
    }

    private ValueTask AddedAsync(CancellationToken cancellationToken)
    {
        _buffered++;
        return _buffered == RowGroupSize ? new ValueTask(WriteGroupAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    private async Task WriteGroupAsync(CancellationToken cancellationToken)
    {
        Debug.Assert(_buffered > 0);
        var n = _buffered;
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync(_pathField, new ArraySegment<string?>(_paths, 0, n)).ConfigureAwait(false);
            await group.WriteAsync(_labelField, new ArraySegment<string?>(_labels, 0, n)).ConfigureAwait(false);
            await group.WriteAsync(_predictedField, new ArraySegment<string?>(_predicted, 0, n)).ConfigureAwait(false);
            await group.WriteAsync<double>(_probabilityField, _probability.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var c = 0; c < _classFields.Length; c++)
            {
                await group.WriteAsync<double>(_classFields[c], _perClass[c].AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await group.WriteAsync(_stageField, new ArraySegment<string?>(_stages, 0, n)).ConfigureAwait(false);
            await group.WriteAsync(_reasonField, new ArraySegment<string?>(_reasons, 0, n)).ConfigureAwait(false);
            group.CompleteValidate();
        }

        // A prediction row leaves the reject columns null and a reject row the prediction columns:
        // clear the group's buffers so that the next group starts from nulls.
        Array.Clear(_labels, 0, n);
        Array.Clear(_predicted, 0, n);
        Array.Clear(_probability, 0, n);
        foreach (var column in _perClass)
        {
            Array.Clear(column, 0, n);
        }

        Array.Clear(_stages, 0, n);
        Array.Clear(_reasons, 0, n);
        _buffered = 0;
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);
}
