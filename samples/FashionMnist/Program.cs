using System;
using FashionMnist;

Console.WriteLine(LeNet5.Summary);
Console.WriteLine(Mlp.Summary);
