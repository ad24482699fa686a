namespace MlNetBaseline;

/// <summary>
/// Converts between ML.NET's L-BFGS weights (l1Weight, l2Weight) and our Spark-style
/// (regParam λ, elasticNetParam α) for a training set of n unit-weight rows.
/// </summary>
/// <remarks>
/// <para>Verified in dotnet/machinelearning (commit cd2fbd617c13, v5 line),
/// <c>src/Microsoft.ML.StandardTrainers/Standard/LogisticRegression/LbfgsPredictorBase.cs</c>:
/// <c>DifferentiableFunction</c> returns <c>(loss + regLoss) * scaleFactor</c> with
/// <c>loss</c> = Σ_i weight_i·loss_i (summed over rows, <c>AccumulateOneGradient</c> in
/// <c>MulticlassLogisticRegression.cs</c>: natural-log softmax cross-entropy),
/// <c>regLoss = L2Weight * 0.5 * Σ w²</c> over indices ≥ BiasCount (biases not penalised) and
/// <c>scaleFactor = 1 / WeightSum</c> (= 1/n with no weight column). The L1 term is handled by
/// OWL-QN, <c>new L1Optimizer(Host, BiasCount, L1Weight / NumGoodRows, ...)</c>, which also skips
/// the biases (<c>Optimizer/L1Optimizer.cs</c>). So ML.NET minimises</para>
/// <para>  F(W,b) = (1/n)·Σ_i ℓ_i + (l2Weight/n)/2·‖W‖² + (l1Weight/n)·‖W‖₁,</para>
/// <para>and ours (Spark's LogisticRegression with standardization off) is</para>
/// <para>  J(W,b) = (1/n)·Σ_i ℓ_i + λ(1−α)/2·‖W‖² + λα·‖W‖₁.</para>
/// <para>They are the same function, not merely the same optimum, when
/// l2Weight = n·λ·(1−α) and l1Weight = n·λ·α; conversely λ = (l1Weight + l2Weight)/n and
/// α = l1Weight/(l1Weight + l2Weight). n is the number of training rows after any split.</para>
/// <para>What does differ: ML.NET stops with MeanRelativeImprovementCriterion(tol, 5, maxIter)
/// (mean relative objective improvement over the last 5 iterations), keeps 20 L-BFGS
/// corrections by default (Spark: 10), starts from zero weights and evaluates in float32.</para>
/// </remarks>
internal readonly record struct RegularisationMapping(double L1Weight, double L2Weight, int TrainingRows)
{
    /// <summary>λ·α: the coefficient of ‖W‖₁ in J.</summary>
    public double L1Coefficient => L1Weight / TrainingRows;

    /// <summary>λ·(1−α): the coefficient of ½‖W‖² in J.</summary>
    public double L2Coefficient => L2Weight / TrainingRows;

    public double RegParam => (L1Weight + L2Weight) / TrainingRows;

    /// <summary>α; 0 when there is no regularisation at all (then α is irrelevant).</summary>
    public double ElasticNetParam => L1Weight + L2Weight == 0 ? 0 : L1Weight / (L1Weight + L2Weight);

    public static RegularisationMapping FromSpark(double regParam, double elasticNetParam, int trainingRows) =>
        new(trainingRows * regParam * elasticNetParam, trainingRows * regParam * (1 - elasticNetParam), trainingRows);
}
