using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Pipeline.Settings;

namespace Pipeline.Cli;

/// <summary>
/// Range checks attached to options, so that a bad value is a parse error: exit code 2 and a
/// message that names the option as the user typed it (<c>--max-megapixels must be greater than 0,
/// got -1</c>), before the command creates anything on disk. The library's own guards stay as a
/// backstop; they name internal properties, which a user never typed.
/// </summary>
internal static class OptionValidation
{
    /// <summary>Adds a check that the value lies in <paramref name="range"/> (and is finite).</summary>
    public static Option<T> InRange<T>(this Option<T> option, NumberRange range)
        where T : INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (result.Implicit || !TryGetValue(result, out T value))
            {
                return;
            }

            var number = double.CreateTruncating(value);
            if (!double.IsFinite(number) || !range.Contains(number))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{Typed(result)} must be {range}, got {value}"));
            }
        });
        return option;
    }

    /// <summary>Adds a check that a path or name is not empty (an empty path would mean the current folder).</summary>
    public static Option<T> NotEmpty<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Implicit)
            {
                return;
            }

            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError($"{Typed(result)} must not be empty");
            }
        });
        return option;
    }

    /// <summary>Adds a check that an argument (a pipeline file) is not empty.</summary>
    public static Argument<string> NotEmpty(this Argument<string> argument)
    {
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError($"<{argument.Name}> must not be empty");
            }
        });
        return argument;
    }

    /// <summary>
    /// The converted value, or false when the token does not convert: System.CommandLine reports
    /// that itself ("Cannot parse argument 'abc' for option '--batch-size'"), but only after the
    /// validators have run, and getting the value throws meanwhile.
    /// </summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>The option as written on the command line (an alias such as <c>-m</c> included).</summary>
    public static string Typed(OptionResult result) => result.IdentifierToken?.Value ?? result.Option.Name;
}
