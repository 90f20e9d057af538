package dev.otimo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class OtimoApplication {
    public static void main(String[] args) {
        SpringApplication.run(OtimoApplication.class, args);
    }
}
