package dev.jeton;
public class Main { public static void main(String[] a) {} }
