using MlNetBaseline;

// Dev/benchmark tool: runs ML.NET as the baseline the product is compared against.
// See README.md beside this file for the commands and the regularisation mapping.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Error.WriteLine("""
        usage: mlnet-baseline <command> [--key value ...]
          make-gray-224 --source <class-folder tree> --output <folder> --count N
          featurize     --images <folder> --output <file.csv> [--gpu-device ID]
          compare-features --store <our feature store> --csv <featurize CSV>
          train         --features <store> --max-iter N --tol T
                        (--l1 W --l2 W | --reg-param L --elastic-net A)
                        [--test-features <store> | --test-fraction F [--seed S]]
        """);
    return args.Length == 0 ? 2 : 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
try
{
    var options = new CommandLineArguments(args.Skip(1));
    return args[0] switch
    {
        "make-gray-224" => await GrayImageSetWriter.RunAsync(options, cancel.Token),
        "featurize" => await ResNet18Featurization.RunAsync(options, cancel.Token),
        "compare-features" => await FeatureComparison.RunAsync(options, cancel.Token),
        "train" => await LbfgsMaximumEntropyBaseline.RunAsync(options, cancel.Token),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'; run with --help."),
    };
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
