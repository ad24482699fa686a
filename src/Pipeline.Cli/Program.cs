using System.CommandLine;
var opt = new Option<int>("--batch-size") { Description = "x", DefaultValueFactory = _ => 32 };
var cmd = new Command("featurize", "d") { opt };
cmd.SetAction(async (ParseResult pr, CancellationToken ct) => { await Task.Delay(1, ct); Console.WriteLine(pr.GetValue(opt)); return 0; });
var root = new RootCommand("p") { cmd };
return await root.Parse(args).InvokeAsync();
