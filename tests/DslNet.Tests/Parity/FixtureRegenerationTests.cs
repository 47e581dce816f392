using Xunit;

namespace DslNet.Tests.Parity;

/// <summary>The committed fixtures are exactly what tests/fixtures/make_fixtures.py builds with today's PyTorch.</summary>
public class FixtureRegenerationTests
{
    [Fact]
    public void Committed_fixtures_match_a_fresh_PyTorch_build()
    {
        Python.Require("torch", "numpy");
        string output = Python.RunOrFail("tests/fixtures/make_fixtures.py", "--check");
        Assert.Contains("fixtures match", output);
    }
}
