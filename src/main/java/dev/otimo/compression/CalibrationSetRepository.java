package dev.otimo.compression;

import org.springframework.data.jpa.repository.JpaRepository;

public interface CalibrationSetRepository extends JpaRepository<CalibrationSet, String> {
}
