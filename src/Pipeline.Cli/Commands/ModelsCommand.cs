using System.CommandLine;
using System.Globalization;
using Pipeline.Models;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline models</c>: the zoo, and whether each model's file is in place.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var modelsDir = CommonOptions.ModelsDirectory();
        var command = new Command("models", "List the model zoo (config/models.yaml) and whether each ONNX file is present.") { modelsDir };
        command.SetAction(parse =>
        {
            var zoo = ModelZoo.LoadDefault();
            var listings = zoo.List(parse.GetValue(modelsDir)!);
            Console.WriteLine($"zoo: {zoo.SourcePath}");
            Console.WriteLine($"{"model",-12} {"input",-8} {"features",-9} {"present",-8} file");
            foreach (var listing in listings)
            {
                var spec = listing.Spec;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{spec.Name,-12} {spec.InputSize + "²",-8} {spec.FeatureDimension,-9} {(listing.Present ? "yes" : "no"),-8} {listing.Path}"));
            }

            foreach (var missing in listings.Where(l => !l.Present))
            {
                Console.WriteLine();
                Console.WriteLine($"{missing.Spec.Name}: {missing.Spec.HowToGet}");
            }

            return 0;
        });
        return command;
    }
}
