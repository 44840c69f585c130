package dev.jeton.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Lists a router's routes in OpenAPI's spelling. */
public final class Routes {

  private Routes() {}

  /** "METHOD /path/{param}" for every route with a path and methods, sorted, without duplicates. */
  public static List<String> describe(Router router) {
    TreeSet<String> out = new TreeSet<>();
    for (Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null) {
        continue;
      }
      String path = r.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      for (HttpMethod m : r.methods()) {
        out.add(m.name() + " " + path);
      }
    }
    return new ArrayList<>(out);
  }
}
