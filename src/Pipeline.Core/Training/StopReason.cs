namespace Pipeline.Training;

/// <summary>Why the solver stopped; the first of Breeze's checks that held, in Breeze's order.</summary>
public enum StopReason
{
    /// <summary><see cref="LogisticRegressionOptions.MaxIter"/> iterations were run.</summary>
    MaxIterations,

    /// <summary>The objective improved by at most tol·|initial objective| over the last 20 iterations.</summary>
    FunctionValuesConverged,

    /// <summary>The (pseudo-)gradient norm fell to max(tol·objective, 1e-8).</summary>
    GradientConverged,

    /// <summary>The line search found no acceptable step twice in a row (once after resetting the history).</summary>
    LineSearchFailed,
}
