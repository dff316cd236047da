using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Storage.Tests;

public class AllocationHelperTests
{
    private static object? _sink;

    [Fact]
    public void DetectsAnAllocation() => Assert.True(Allocations.Measure(() => _sink = new byte[100]) >= 100);

    [Fact]
    public void SeesNothingWhereNothingIsAllocated()
    {
        long x = 0;
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 1000; i++) x += i; }));
        _sink = x;
    }
}
