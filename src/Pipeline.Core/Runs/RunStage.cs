namespace Pipeline.Runs;

/// <summary>The timed stages of a run, in the order they run.</summary>
public enum RunStage
{
    /// <summary>Images → feature store.</summary>
    Featurize,

    /// <summary>Feature store → model (single fit or grid search).</summary>
    Train,

    /// <summary>Model + test set → report.</summary>
    Evaluate,

    /// <summary>Model + predict inputs → predictions.</summary>
    Predict,
}
