using System.Globalization;
using Pipeline.Classifier;

namespace Pipeline.Evaluation;

/// <summary>The training facts of a saved classifier, as the evaluation report shows them.</summary>
internal static class ClassifierReportContext
{
    /// <summary>What the report says about a saved classifier's training; the training block is left out for a model without one.</summary>
    public static EvaluationContext For(ClassifierModel model)
    {
        var training = model.Training;
        var name = $"{model.Featurizer.ModelName} features + multinomial logistic regression";
        if (training is null)
        {
            return new EvaluationContext { ModelName = name };
        }

        var culture = CultureInfo.InvariantCulture;
        var p = training.Parameters;
        var parameters = new Dictionary<string, string>
        {
            ["maxIter"] = p.MaxIter.ToString(culture),
            ["regParam"] = p.RegParam.ToString(culture),
            ["elasticNetParam"] = p.ElasticNetParam.ToString(culture),
            ["tol"] = p.Tol.ToString(culture),
            ["fitIntercept"] = p.FitIntercept ? "true" : "false",
            ["standardization"] = p.Standardization ? "true" : "false",
            ["seed"] = training.Seed.ToString(culture),
            ["stratify"] = training.Stratified ? "true" : "false",
        };
        if (training.TestFraction is { } fraction)
        {
            parameters["testFraction"] = fraction.ToString(culture);
        }

        if (training.GridSearch is { } grid)
        {
            parameters["gridMetric"] = grid.Metric;
            parameters["gridFolds"] = grid.Folds.ToString(culture);
            parameters["gridPoints"] = grid.Points.Count.ToString(culture);
        }

        return new EvaluationContext
        {
            ModelName = name,
            Parameters = parameters,
            Iterations = training.Iterations,
            StopReason = training.StopReason.ToString(),
            TrainSamples = training.TrainSamples,
            TestSamples = training.TestSamples,
            TrainingSeconds = training.Seconds,
        };
    }
}
