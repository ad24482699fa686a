namespace Pipeline.Training;

/// <summary>
/// The L-BFGS memory: the last m steps s and gradient changes y, applied to a vector with the
/// two-loop recursion (Nocedal &amp; Wright, Algorithm 7.4) and the initial scaling γ = sᵀy / yᵀy.
/// </summary>
internal sealed class InverseHessianApproximation
{
    private readonly double[][] _steps;
    private readonly double[][] _gradientChanges;
    private readonly double[] _rho;
    private readonly double[] _alpha;
    private int _newest = -1;

    public InverseHessianApproximation(int memory, int dimension)
    {
        _steps = new double[memory][];
        _gradientChanges = new double[memory][];
        for (var i = 0; i < memory; i++)
        {
            _steps[i] = new double[dimension];
            _gradientChanges[i] = new double[dimension];
        }

        _rho = new double[memory];
        _alpha = new double[memory];
    }

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _newest = -1;
    }

    /// <summary>
    /// Records x_new − x_old and g_new − g_old. Pairs without positive curvature are skipped: they
    /// would make the approximation indefinite (possible with OWL-QN's orthant projection). The
    /// curvature is checked before the slot is written, because when the memory is full that slot
    /// still holds the oldest pair in use.
    /// </summary>
    public void Update(double[] newPoint, double[] oldPoint, double[] newGradient, double[] oldGradient)
    {
        double sy = 0, yy = 0;
        for (var i = 0; i < newPoint.Length; i++)
        {
            var si = newPoint[i] - oldPoint[i];
            var yi = newGradient[i] - oldGradient[i];
            sy += si * yi;
            yy += yi * yi;
        }

        if (!(sy > 1e-12 * yy) || yy == 0)
        {
            return;
        }

        var slot = (_newest + 1) % _steps.Length;
        var s = _steps[slot];
        var y = _gradientChanges[slot];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = newPoint[i] - oldPoint[i];
            y[i] = newGradient[i] - oldGradient[i];
        }

        _rho[slot] = 1.0 / sy;
        _newest = slot;
        Count = Math.Min(Count + 1, _steps.Length);
    }

    /// <summary>Writes −H·<paramref name="gradient"/> into <paramref name="direction"/>.</summary>
    public void DescentDirection(double[] gradient, double[] direction)
    {
        var m = _steps.Length;
        for (var i = 0; i < direction.Length; i++)
        {
            direction[i] = -gradient[i];
        }

        for (var n = 0; n < Count; n++)
        {
            var slot = ((_newest - n) % m + m) % m;
            var a = _rho[slot] * Dot(_steps[slot], direction);
            _alpha[slot] = a;
            Axpy(-a, _gradientChanges[slot], direction);
        }

        if (Count > 0)
        {
            var y = _gradientChanges[_newest];
            var gamma = 1.0 / (_rho[_newest] * Dot(y, y));
            for (var i = 0; i < direction.Length; i++)
            {
                direction[i] *= gamma;
            }
        }

        for (var n = Count - 1; n >= 0; n--)
        {
            var slot = ((_newest - n) % m + m) % m;
            var b = _rho[slot] * Dot(_gradientChanges[slot], direction);
            Axpy(_alpha[slot] - b, _steps[slot], direction);
        }
    }

    internal static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
