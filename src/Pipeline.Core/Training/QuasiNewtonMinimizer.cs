namespace Pipeline.Training;

/// <summary>
/// L-BFGS (no L1 term) and OWL-QN (Andrew &amp; Gao 2007, "Scalable training of L1-regularized
/// log-linear models") with Breeze's stopping rules, as Spark's LogisticRegression drives them.
/// </summary>
/// <remarks>
/// OWL-QN minimises f(x) + Σᵢ cᵢ|xᵢ|: the quasi-Newton direction is computed from the
/// pseudo-gradient, components that disagree in sign with the steepest-descent direction are
/// zeroed, and every trial point is projected onto the orthant of the current point, so a
/// coefficient can reach zero but not cross it within one step. Curvature pairs use the smooth
/// gradient only. Unlike Breeze, coordinates with cᵢ = 0 (the intercepts) are neither
/// constrained nor projected: the orthant restriction exists only to keep the L1 term linear.
/// L-BFGS uses a strong-Wolfe line search (c₁ = 1e-4, c₂ = 0.9, cubic zoom), OWL-QN a
/// backtracking Armijo search along the projected path. As in Breeze the first step (and the
/// first after a reset) starts at length 1/‖d‖, a failed search resets the memory once and the
/// second consecutive failure stops the solver.
/// </remarks>
internal sealed class QuasiNewtonMinimizer
{
    private const int Memory = 10;
    private const int FunctionValueWindow = 20;
    private const double ArmijoC1 = 1e-4;
    private const double WolfeC2 = 0.9;
    private const int MaxLineSearchEvaluations = 30;

    private readonly int _maxIterations;
    private readonly double _tolerance;

    public QuasiNewtonMinimizer(int maxIterations, double tolerance)
    {
        _maxIterations = maxIterations;
        _tolerance = tolerance;
    }

    /// <param name="l1Weights">Per-coordinate L1 weights cᵢ ≥ 0, or null for plain L-BFGS.</param>
    public MinimizationResult Minimize(
        IDifferentiableFunction function, double[] start, double[]? l1Weights, CancellationToken cancellationToken)
    {
        var n = function.Dimension;
        var x = (double[])start.Clone();
        var gradient = new double[n];
        var trialPoint = new double[n];
        var trialGradient = new double[n];
        var bestPoint = new double[n];
        var bestGradient = new double[n];
        var pseudoGradient = new double[n];
        var direction = new double[n];
        var memory = new InverseHessianApproximation(Memory, n);

        var value = function.Evaluate(x, gradient) + L1Norm(l1Weights, x);
        PseudoGradient(x, gradient, l1Weights, pseudoGradient);
        var initialValue = value;
        var history = new List<double> { value };
        var window = new Queue<double>(FunctionValueWindow + 1);
        window.Enqueue(double.PositiveInfinity);
        var failedOnce = false;
        var iteration = 0;
        while (true)
        {
            if (iteration >= _maxIterations)
            {
                return new MinimizationResult(x, history, StopReason.MaxIterations);
            }

            if (window.Count >= 2 && Math.Abs(value - Max(window)) <= _tolerance * Math.Abs(initialValue))
            {
                return new MinimizationResult(x, history, StopReason.FunctionValuesConverged);
            }

            if (Norm(pseudoGradient) <= Math.Max(_tolerance * value, 1e-8))
            {
                return new MinimizationResult(x, history, StopReason.GradientConverged);
            }

            cancellationToken.ThrowIfCancellationRequested();
            memory.DescentDirection(pseudoGradient, direction);
            ConstrainToOrthant(direction, pseudoGradient, l1Weights);
            var slope = InverseHessianApproximation.Dot(direction, pseudoGradient);
            if (!(slope < 0))
            {
                memory.Clear();
                for (var i = 0; i < n; i++)
                {
                    direction[i] = -pseudoGradient[i];
                }

                slope = InverseHessianApproximation.Dot(direction, pseudoGradient);
            }

            var initialStep = memory.Count == 0 ? 1.0 / Norm(direction) : 1.0;
            var search = new LineSearchBuffers(x, gradient, trialPoint, trialGradient, bestPoint, bestGradient, direction);
            var newValue = l1Weights is null
                ? StrongWolfeSearch(function, search, value, slope, initialStep)
                : OrthantArmijoSearch(function, search, l1Weights, value, pseudoGradient, initialStep);
            if (double.IsNaN(newValue))
            {
                if (failedOnce)
                {
                    return new MinimizationResult(x, history, StopReason.LineSearchFailed);
                }

                failedOnce = true;
                memory.Clear();
                continue;
            }

            failedOnce = false;
            memory.Update(trialPoint, x, trialGradient, gradient);
            (x, trialPoint) = (trialPoint, x);
            (gradient, trialGradient) = (trialGradient, gradient);
            value = newValue;
            PseudoGradient(x, gradient, l1Weights, pseudoGradient);
            iteration++;
            history.Add(value);
            window.Enqueue(value);
            if (window.Count > FunctionValueWindow)
            {
                window.Dequeue();
            }
        }
    }

    /// <summary>
    /// Strong-Wolfe search (Nocedal &amp; Wright, Algorithms 3.5 and 3.6). Leaves the accepted point in
    /// the trial buffers and returns its value, or NaN when no point with sufficient decrease was found.
    /// A point that satisfies only the Armijo condition is accepted when the curvature condition
    /// cannot be met within the evaluation budget: near the optimum round-off makes it unattainable.
    /// </summary>
    private static double StrongWolfeSearch(IDifferentiableFunction function, LineSearchBuffers b, double value0, double slope0, double step)
    {
        double bestValue = double.PositiveInfinity;
        double lo = 0, valueLo = value0, slopeLo = slope0;
        double hi = double.NaN, valueHi = double.NaN, slopeHi = double.NaN;
        var evaluations = 0;
        while (evaluations < MaxLineSearchEvaluations)
        {
            if (!double.IsNaN(hi))
            {
                step = CubicMinimizer(lo, valueLo, slopeLo, hi, valueHi, slopeHi);
            }

            for (var i = 0; i < b.Point.Length; i++)
            {
                b.TrialPoint[i] = b.Point[i] + step * b.Direction[i];
            }

            var value = function.Evaluate(b.TrialPoint, b.TrialGradient);
            var slope = InverseHessianApproximation.Dot(b.TrialGradient, b.Direction);
            evaluations++;
            var armijo = value <= value0 + ArmijoC1 * step * slope0;
            if (armijo && value < bestValue)
            {
                bestValue = value;
                b.TrialPoint.CopyTo(b.BestPoint, 0);
                b.TrialGradient.CopyTo(b.BestGradient, 0);
            }

            if (!armijo || value >= valueLo)
            {
                hi = step;
                valueHi = value;
                slopeHi = slope;
                continue;
            }

            if (Math.Abs(slope) <= -WolfeC2 * slope0)
            {
                return value;
            }

            if (double.IsNaN(hi))
            {
                if (slope >= 0)
                {
                    (hi, valueHi, slopeHi) = (lo, valueLo, slopeLo);
                }
                else
                {
                    (lo, valueLo, slopeLo) = (step, value, slope);
                    step *= 2;
                    continue;
                }
            }
            else if (slope * (hi - lo) >= 0)
            {
                (hi, valueHi, slopeHi) = (lo, valueLo, slopeLo);
            }

            (lo, valueLo, slopeLo) = (step, value, slope);
        }

        if (double.IsPositiveInfinity(bestValue))
        {
            return double.NaN;
        }

        b.BestPoint.CopyTo(b.TrialPoint, 0);
        b.BestGradient.CopyTo(b.TrialGradient, 0);
        return bestValue;
    }

    /// <summary>
    /// Backtracking along the orthant-projected path until F(x') ≤ F(x) + c₁·pgᵀ(x' − x)
    /// (Andrew &amp; Gao's Armijo condition). Returns F at the accepted point or NaN.
    /// </summary>
    private static double OrthantArmijoSearch(
        IDifferentiableFunction function, LineSearchBuffers b, double[] l1Weights, double value0, double[] pseudoGradient, double step)
    {
        for (var evaluation = 0; evaluation < MaxLineSearchEvaluations; evaluation++)
        {
            var decrease = 0.0;
            for (var i = 0; i < b.Point.Length; i++)
            {
                var x = b.Point[i];
                var moved = x + step * b.Direction[i];
                if (l1Weights[i] > 0)
                {
                    var orthant = x != 0 ? Math.Sign(x) : -Math.Sign(pseudoGradient[i]);
                    if (Math.Sign(moved) != orthant)
                    {
                        moved = 0;
                    }
                }

                b.TrialPoint[i] = moved;
                decrease += pseudoGradient[i] * (moved - x);
            }

            var value = function.Evaluate(b.TrialPoint, b.TrialGradient) + L1Norm(l1Weights, b.TrialPoint);
            if (value <= value0 + ArmijoC1 * decrease)
            {
                return value;
            }

            step *= 0.5;
        }

        return double.NaN;
    }

    /// <summary>Minimiser of the cubic through both end points, kept 10 % away from either end.</summary>
    private static double CubicMinimizer(double a, double fa, double ga, double b, double fb, double gb)
    {
        var d1 = ga + gb - 3 * (fa - fb) / (a - b);
        var d2Squared = d1 * d1 - ga * gb;
        var low = Math.Min(a, b);
        var width = Math.Abs(b - a);
        var step = double.NaN;
        if (d2Squared >= 0)
        {
            var d2 = Math.Sign(b - a) * Math.Sqrt(d2Squared);
            step = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
        }

        return double.IsFinite(step) && step >= low + 0.1 * width && step <= low + 0.9 * width
            ? step
            : low + 0.5 * width;
    }

    private static void ConstrainToOrthant(double[] direction, double[] pseudoGradient, double[]? l1Weights)
    {
        if (l1Weights is null)
        {
            return;
        }

        for (var i = 0; i < direction.Length; i++)
        {
            if (l1Weights[i] > 0 && direction[i] * pseudoGradient[i] >= 0)
            {
                direction[i] = 0;
            }
        }
    }

    /// <summary>
    /// The minimum-norm subgradient of f + Σ cᵢ|xᵢ|: the one-sided derivative pointing downhill at
    /// xᵢ = 0, or 0 when the L1 kink absorbs the gradient.
    /// </summary>
    private static void PseudoGradient(double[] x, double[] gradient, double[]? l1Weights, double[] result)
    {
        if (l1Weights is null)
        {
            gradient.CopyTo(result, 0);
            return;
        }

        for (var i = 0; i < x.Length; i++)
        {
            var c = l1Weights[i];
            var g = gradient[i];
            result[i] = x[i] > 0 ? g + c
                : x[i] < 0 ? g - c
                : g + c < 0 ? g + c
                : g - c > 0 ? g - c
                : 0;
        }
    }

    private static double L1Norm(double[]? weights, double[] x)
    {
        if (weights is null)
        {
            return 0;
        }

        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += weights[i] * Math.Abs(x[i]);
        }

        return sum;
    }

    /// <summary>The largest value of the window; a foreach over the queue itself, unlike LINQ's Max, allocates no enumerator per iteration.</summary>
    private static double Max(Queue<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var value in values)
        {
            max = value > max ? value : max;
        }

        return max;
    }

    private static double Norm(double[] v) => Math.Sqrt(InverseHessianApproximation.Dot(v, v));

    private readonly record struct LineSearchBuffers(
        double[] Point, double[] Gradient, double[] TrialPoint, double[] TrialGradient, double[] BestPoint, double[] BestGradient, double[] Direction);
}

/// <summary>The solver's end point and its trace.</summary>
internal sealed record MinimizationResult(double[] Solution, IReadOnlyList<double> ObjectiveHistory, StopReason StopReason);
