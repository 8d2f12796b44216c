// pgJDBC (the driver Metabase, DBeaver and most JVM tools use) against
// `weft serve --pg-listen`: the calls those tools make on connect and on
// browsing, and governed queries compared with `weft query`.
//
//   java -cp /usr/share/java/postgresql.jar tests/pgwire/JdbcCheck.java \
//        JDBC_URL EXPECTED_EMAILS_CSV EXPECTED_ORDER_COUNT READABLE_COLUMNS
//
// JDBC_URL: jdbc:postgresql://127.0.0.1:PORT/weft?user=...&password=...&sslmode=disable
// EXPECTED_EMAILS_CSV: `weft query --as grace -o csv` of
//   SELECT email FROM customer.customers ORDER BY customer_id (header included)
// READABLE_COLUMNS: grace's columns of customer.customers, comma-separated.
// Run by tests/pgwire/run when a JDK and Debian's libpostgresql-jdbc-java are
// installed. Prints "ok"/"FAILED" per check; exit 1 if any failed.
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

public class JdbcCheck {
  static int passed = 0;
  static int failed = 0;

  interface Check {
    void run() throws Exception;
  }

  static void check(String name, Check c) {
    try {
      c.run();
      passed++;
      System.out.println("ok      jdbc: " + name);
    } catch (Throwable e) {
      failed++;
      String state = e instanceof SQLException ? " (SQLSTATE " + ((SQLException) e).getSQLState() + ")" : "";
      System.out.println("FAILED  jdbc: " + name + ": " + e + state);
    }
  }

  static void expect(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    List<String> emails = new ArrayList<>(Files.readAllLines(Path.of(args[1])));
    emails.remove(0);
    long orders = Long.parseLong(args[2]);
    List<String> columns = List.of(args[3].split(","));
    Connection[] conn = new Connection[1];

    check("connects (" + url.replaceAll("password=[^&]*", "password=...") + ")", () -> {
      conn[0] = DriverManager.getConnection(url);
      DatabaseMetaData md = conn[0].getMetaData();
      System.out.println("        product: " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
    });
    if (conn[0] == null) {
      System.out.println("jdbc: " + passed + " passed, " + failed + " failed");
      System.exit(1);
    }
    Connection c = conn[0];
    check("DatabaseMetaData.getTables lists customer.customers and sales.orders, not marketing.campaigns", () -> {
      List<String> seen = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next()) seen.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
      }
      expect(seen.contains("customer.customers") && seen.contains("sales.orders"), "listed: " + seen);
      expect(!seen.contains("marketing.campaigns"), "lists marketing.campaigns: " + seen);
    });
    check("DatabaseMetaData.getColumns of customer.customers is exactly grace's readable columns", () -> {
      List<String> seen = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getColumns(null, "customer", "customers", "%")) {
        while (rs.next()) seen.add(rs.getString("COLUMN_NAME"));
      }
      expect(seen.equals(columns), "columns: " + seen + ", expected " + columns);
    });
    check("hashed e-mails equal weft query --as grace", () -> {
      List<String> seen = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT email FROM customer.customers ORDER BY customer_id")) {
        while (rs.next()) seen.add(rs.getString(1));
      }
      expect(seen.equals(emails), seen.size() + " e-mails, not weft query's " + emails.size());
    });
    check("a PreparedStatement run 7 times (server-side prepared after prepareThreshold) counts grace's orders", () -> {
      try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM sales.orders WHERE channel = ?")) {
        for (int i = 0; i < 7; i++) {
          p.setString(1, "web");
          try (ResultSet rs = p.executeQuery()) {
            expect(rs.next() && rs.getLong(1) == orders, "run " + i + ": not " + orders);
          }
        }
      }
    });
    check("setFetchSize(100) without autocommit reads the orders 100 rows at a time", () -> {
      c.setAutoCommit(false);
      long n = 0;
      try (Statement s = c.createStatement()) {
        s.setFetchSize(100);
        try (ResultSet rs = s.executeQuery("SELECT order_id FROM sales.orders ORDER BY order_id")) {
          while (rs.next()) n++;
        }
      } finally {
        c.commit();
        c.setAutoCommit(true);
      }
      expect(n == orders, n + " rows, not " + orders);
    });
    check("marketing.campaigns is refused with SQLSTATE 42501", () -> {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM marketing.campaigns");
        expect(false, "it was answered");
      } catch (SQLException e) {
        expect("42501".equals(e.getSQLState()), "SQLSTATE " + e.getSQLState() + ": " + e.getMessage());
      }
    });
    check("Statement.cancel() of a long query gives 57014", () -> {
      try (Statement s = c.createStatement()) {
        Thread t = new Thread(() -> {
          try {
            Thread.sleep(1500);
            s.cancel();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        t.start();
        long t0 = System.nanoTime();
        try {
          s.executeQuery("SELECT count(*) FROM sales.orders a CROSS JOIN sales.orders b CROSS JOIN sales.orders c "
              + "WHERE a.amount + b.amount > c.amount");
          expect(false, "the long query was answered");
        } catch (SQLException e) {
          expect("57014".equals(e.getSQLState()), "SQLSTATE " + e.getSQLState() + ": " + e.getMessage());
        }
        t.join();
        double took = (System.nanoTime() - t0) / 1e9;
        expect(took < 15, "ended after " + took + " s");
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sales.orders")) {
        expect(rs.next() && rs.getLong(1) == orders, "the connection does not go on");
      }
    });
    c.close();
    System.out.println("jdbc: " + passed + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}
