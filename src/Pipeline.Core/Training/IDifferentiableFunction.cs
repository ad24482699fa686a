namespace Pipeline.Training;

/// <summary>A smooth function the quasi-Newton solvers minimise.</summary>
internal interface IDifferentiableFunction
{
    int Dimension { get; }

    /// <summary>Returns f(<paramref name="point"/>) and writes ∇f into <paramref name="gradient"/>.</summary>
    double Evaluate(double[] point, double[] gradient);
}
