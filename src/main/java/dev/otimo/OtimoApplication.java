package dev.otimo;

import dev.otimo.config.NettyServerDefaults;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OtimoApplication {

    static {
        // here rather than in main: tests and benchmarks start the application without main
        NettyServerDefaults.apply();
    }

    public static void main(String[] args) {
        SpringApplication.run(OtimoApplication.class, args);
    }
}
