namespace T; public class A { [Xunit.Fact] public void B() => Xunit.Assert.Equal(2, 1 + 1); }
