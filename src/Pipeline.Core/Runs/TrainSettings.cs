namespace Pipeline.Runs;

/// <summary>
/// Multinomial elastic-net logistic regression parameters (YAML <c>train</c>), with Spark MLlib's
/// <c>LogisticRegression</c> defaults where the file is silent.
/// </summary>
/// <param name="MaxIter">Optimizer iterations, 0 or more (Spark default 100).</param>
/// <param name="RegParam">Regularisation strength λ, 0 or more (Spark default 0).</param>
/// <param name="ElasticNetParam">α mixing L1 (1) and L2 (0), 0 to 1 (Spark default 0).</param>
/// <param name="Tol">Convergence tolerance, 0 or more (Spark default 1e-6).</param>
/// <param name="Standardization">Standardise features before fitting (Spark default true).</param>
/// <param name="FitIntercept">Fit an intercept per class (Spark default true).</param>
public sealed record TrainSettings(
    int MaxIter = 100,
    double RegParam = 0.0,
    double ElasticNetParam = 0.0,
    double Tol = 1e-6,
    bool Standardization = true,
    bool FitIntercept = true);
