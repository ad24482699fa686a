using Microsoft.Extensions.Logging;
using Pipeline.Classifier;
using Pipeline.IO;
using Pipeline.Models;

namespace Pipeline.Export;

/// <summary>
/// Adds <c>model.onnx</c> (featurizer + linear head + softmax, one graph) to a saved classifier's
/// folder: the export step after <see cref="TrainingJob"/> in <c>pipeline train</c> and pipeline runs.
/// </summary>
public static class OnnxExportJob
{
    /// <summary>
    /// Writes <c>model.onnx</c> and then <c>model.json</c> naming it, when the featurizer the
    /// classifier expects can be found in the zoo with the same ONNX file; otherwise leaves the folder
    /// as it is and says why, in the result and as a logged warning. Either way <c>model.json</c>
    /// names only an ONNX file of this classifier's head.
    /// </summary>
    /// <param name="model">The saved classifier.</param>
    /// <param name="modelDirectory">Its model folder.</param>
    /// <param name="modelsDirectory">Where the zoo's ONNX files are (bundled models need none).</param>
    /// <param name="logger">Receives the warning of an export that could not be made.</param>
    /// <param name="cancellationToken">Cancels the hashing and the writes.</param>
    public static async Task<OnnxExportResult> RunAsync(
        ClassifierModel model, string modelDirectory, string modelsDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        var directory = Path.GetFullPath(modelDirectory);
        var warning = await TryExportAsync(model, directory, modelsDirectory, cancellationToken).ConfigureAwait(false);
        if (warning is null)
        {
            return new OnnxExportResult(Path.Combine(directory, ClassifierModel.OnnxFileName), []);
        }

        logger.LogWarning("{Warning}", warning);
        return new OnnxExportResult(null, [warning]);
    }

    /// <summary>Exports, or returns the sentence saying why the export was not made.</summary>
    private static async Task<string?> TryExportAsync(ClassifierModel model, string directory, string modelsDirectory, CancellationToken cancellationToken)
    {
        var featurizer = model.Featurizer;
        ResolvedModel resolved;
        try
        {
            resolved = featurizer.Resolve(ModelZoo.LoadDefault(), modelsDirectory);
        }
        catch (ModelZooException e)
        {
            return $"{ClassifierModel.OnnxFileName} was not exported: {e.Message}";
        }

        try
        {
            await featurizer.EnsureSameFileAsync(resolved.OnnxPath, $"Model '{directory}'", cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return $"{ClassifierModel.OnnxFileName} was not exported: {e.Message}";
        }

        var regression = model.Regression;
        var coefficients = Array.ConvertAll(regression.Coefficients, c => (float)c);
        var intercepts = Array.ConvertAll(regression.Intercepts, c => (float)c);
        var bytes = OnnxClassifierExporter.Export(resolved.Spec, resolved.OnnxPath, coefficients, intercepts, model.Classes);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, ClassifierModel.OnnxFileName), bytes, cancellationToken).ConfigureAwait(false);

        // model.json last: a reader never sees it name an ONNX file that is not yet whole.
        await model.SaveAsync(directory, ClassifierModel.OnnxFileName, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
