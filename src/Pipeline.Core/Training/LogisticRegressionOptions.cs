using Pipeline.Settings;

namespace Pipeline.Training;

/// <summary>
/// Hyper-parameters of <see cref="ElasticNetLogisticRegression"/>, with Spark MLlib's names and
/// defaults (<c>maxIter</c> 100, <c>regParam</c> 0, <c>elasticNetParam</c> 0, <c>tol</c> 1e-6,
/// <c>fitIntercept</c> true, <c>standardization</c> true). Setters validate and throw
/// <see cref="ArgumentOutOfRangeException"/> naming the parameter and its allowed range.
/// </summary>
/// <remarks>
/// The objective minimised over coefficients β (K×d) and intercepts b (K) is
/// <code>
/// (1/n) Σᵢ −log softmax(β xᵢ + b)_{yᵢ}  +  regParam · ( (1−α)/2 · ‖β‖₂²  +  α · ‖β‖₁ ),   α = elasticNetParam
/// </code>
/// Intercepts are never penalised. Features are always scaled by 1/σⱼ (σ the sample standard
/// deviation, n−1 denominator, as Spark's summarizer) and centred when an intercept is fitted;
/// both are reparameterisations that leave the optimum unchanged except for where the penalty
/// falls. With <see cref="Standardization"/> the penalty applies to the scaled coefficients
/// βⱼσⱼ; without it the penalty is divided by σⱼ (L1) and σⱼ² (L2) so that it falls on the
/// original-scale β, exactly as Spark does. Features with σⱼ = 0 get coefficient 0. Coefficients
/// and intercepts are reported on the original feature scale.
/// The solver is L-BFGS (memory 10) when the L1 term vanishes (regParam·α = 0) and OWL-QN
/// otherwise.
/// </remarks>
public sealed record LogisticRegressionOptions
{
    private readonly int _maxIter = SettingCatalog.Train.MaxIter.Default;
    private readonly double _regParam = SettingCatalog.Train.RegParam.Default;
    private readonly double _elasticNetParam = SettingCatalog.Train.ElasticNetParam.Default;
    private readonly double _tol = SettingCatalog.Train.Tol.Default;

    /// <summary>Spark's defaults.</summary>
    public static LogisticRegressionOptions Default { get; } = new();

    /// <summary>Maximum number of solver iterations, 0 to 1 000 000 (default 100).</summary>
    public int MaxIter
    {
        get => _maxIter;
        init => _maxIter = SettingCatalog.Train.MaxIter.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIter), value, $"maxIter must be >= 0 and at most {SettingCatalog.Train.MaxIter.Range.Max}.");
    }

    /// <summary>Regularisation strength λ, ≥ 0 (default 0).</summary>
    public double RegParam
    {
        get => _regParam;
        init => _regParam = SettingCatalog.Train.RegParam.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RegParam), value, "regParam must be a finite number >= 0.");
    }

    /// <summary>Elastic-net mixing α in [0, 1]: 0 is pure L2, 1 pure L1 (default 0).</summary>
    public double ElasticNetParam
    {
        get => _elasticNetParam;
        init => _elasticNetParam = SettingCatalog.Train.ElasticNetParam.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ElasticNetParam), value, "elasticNetParam must be in [0, 1].");
    }

    /// <summary>
    /// Convergence tolerance, ≥ 0 (default 1e-6), used as Breeze does: stop when the objective
    /// improved by at most tol·|initial objective| over the last 20 iterations, or when the
    /// (pseudo-)gradient norm is at most max(tol·objective, 1e-8).
    /// </summary>
    public double Tol
    {
        get => _tol;
        init => _tol = SettingCatalog.Train.Tol.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Tol), value, "tol must be a finite number >= 0.");
    }

    /// <summary>Fit per-class intercepts (default true).</summary>
    public bool FitIntercept { get; init; } = SettingCatalog.Train.FitIntercept.Default;

    /// <summary>Penalise the coefficients of standardised features (default true).</summary>
    public bool Standardization { get; init; } = SettingCatalog.Train.Standardization.Default;

    internal double L1Strength => RegParam * ElasticNetParam;

    internal double L2Strength => RegParam * (1 - ElasticNetParam);
}
