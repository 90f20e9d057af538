package dev.otimo.compression;

import dev.otimo.registry.Model;
import org.springframework.data.jpa.repository.JpaRepository;

import java.util.List;

public interface CalibrationSetRepository extends JpaRepository<CalibrationSet, String> {

    List<CalibrationSet> findByModelOrderByCreatedAtDesc(Model model);

    long countBySha256(String sha256);
}
